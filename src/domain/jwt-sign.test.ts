import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';
import { ASYMMETRIC_TOKEN_ALGS, signJwt, type AsymmetricTokenAlg } from './jwt-sign.ts';
import { mintAccessToken, verifyAccessToken } from './access-token.ts';
import { verifyIdTokenHint } from './id-token-hint.ts';

const pairFor = (alg: AsymmetricTokenAlg) =>
  alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
  : alg === 'EdDSA' ? generateKeyPairSync('ed25519')
  : generateKeyPairSync('rsa', { modulusLength: 2048 });

const pairs = new Map(ASYMMETRIC_TOKEN_ALGS.map((alg) => [alg, pairFor(alg)]));
const now = Date.now();
const input = { issuer: 'https://t.example/', clientId: 'abc', audience: 'https://api/', scope: 'read', lifetimeSeconds: 600, now };
const ctx = (keys: Map<string, { alg: AsymmetricTokenAlg; key: KeyObject }>) => ({ keys, issuers: ['https://t.example/'], audience: 'https://api/', now });
/** A JWT whose header says `header.alg` but whose signature is ES256 by `privateKey` (what a verifier trusting the key's type over the header would accept). */
const es256Signed = (header: object, claims: object, privateKey: KeyObject) => {
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
};
const jwksOf = (kid: string, alg: string, key: KeyObject) => createLocalJWKSet({ keys: [{ ...key.export({ format: 'jwk' }), kid, alg, use: 'sig' }] });

for (const alg of ASYMMETRIC_TOKEN_ALGS) {
  test(`${alg}: jose verifies the token with the public key and that algorithm only; the header names the kid`, async () => {
    const { privateKey, publicKey } = pairs.get(alg)!;
    const key = { kid: `k-${alg}`, alg, privateKey };
    const { token } = await mintAccessToken(input, key);
    assert.deepEqual(decodeProtectedHeader(token), { alg, typ: 'JWT', kid: `k-${alg}` });
    const { payload } = await jwtVerify(token, jwksOf(`k-${alg}`, alg, publicKey), { algorithms: [alg], issuer: input.issuer, audience: input.audience });
    assert.equal(payload.sub, 'abc@clients');
    // Another key of the same type does not verify it: the signature is real.
    await assert.rejects(jwtVerify(token, jwksOf(`k-${alg}`, alg, pairFor(alg).publicKey), { algorithms: [alg] }), /signature verification failed/);
    // Signet's own verifier accepts it under a key of its family.
    assert.equal(verifyAccessToken(token, ctx(new Map([[`k-${alg}`, { alg, key: publicKey }]])))?.sub, 'abc@clients');
    // The same key signs again with the same (cached) header and a fresh signature input.
    const again = await signJwt({ n: 2 }, key);
    assert.equal(again.split('.')[0], token.split('.')[0]);
  });
}

test('PS256 uses a 32-byte salt and ES256 the 64-byte JOSE signature (r||s), not DER', async () => {
  const es = await signJwt({ a: 1 }, { kid: 'e', alg: 'ES256', privateKey: pairs.get('ES256')!.privateKey });
  assert.equal(Buffer.from(es.split('.')[2]!, 'base64url').length, 64);
  const ed = await signJwt({ a: 1 }, { kid: 'd', alg: 'EdDSA', privateKey: pairs.get('EdDSA')!.privateKey });
  assert.equal(Buffer.from(ed.split('.')[2]!, 'base64url').length, 64);
  // PS256 verifies under jose (which insists on saltLength = 32) and two signatures of one input differ (PSS is randomised).
  const key = { kid: 'p', alg: 'PS256' as const, privateKey: pairs.get('PS256')!.privateKey };
  const [a, b] = [await signJwt({ a: 1 }, key), await signJwt({ a: 1 }, key)];
  assert.notEqual(a.split('.')[2], b.split('.')[2]);
  await jwtVerify(a, jwksOf('p', 'PS256', pairs.get('PS256')!.publicKey), { algorithms: ['PS256'] });
});

test('HS256: signed with the secret, verified by jose with it, and no kid in the header', async () => {
  const secret = randomBytes(32);
  const { token } = await mintAccessToken(input, { alg: 'HS256', secret });
  assert.deepEqual(decodeProtectedHeader(token), { alg: 'HS256', typ: 'JWT' });
  const { payload } = await jwtVerify(token, secret, { algorithms: ['HS256'], issuer: input.issuer, audience: input.audience });
  assert.equal(payload.azp, 'abc');
  await assert.rejects(jwtVerify(token, randomBytes(32), { algorithms: ['HS256'] }), /signature verification failed/);
});

test('verifyAccessToken takes only the algorithm of the family the kid names: never another, never none, never HS256', async () => {
  const rsa = pairs.get('RS256')!;
  const keys = new Map([['rs', { alg: 'RS256' as const, key: rsa.publicKey }]]);
  const rs = (await mintAccessToken(input, { kid: 'rs', alg: 'RS256', privateKey: rsa.privateKey })).token;
  assert.ok(verifyAccessToken(rs, ctx(keys)));
  // The same RSA key signing PS256 or RS512 under the RS256 family's kid: refused (alg ≠ the family's).
  for (const alg of ['PS256', 'RS512'] as const) {
    const t = (await mintAccessToken(input, { kid: 'rs', alg, privateKey: rsa.privateKey })).token;
    assert.equal(verifyAccessToken(t, ctx(keys)), null, alg);
  }
  // An RS256 header naming an ES256 key's kid.
  const ec = pairs.get('ES256')!;
  const ecKeys = new Map([['ec', { alg: 'ES256' as const, key: ec.publicKey }]]);
  const ecToken = (await mintAccessToken(input, { kid: 'ec', alg: 'ES256', privateKey: ec.privateKey })).token;
  assert.ok(verifyAccessToken(ecToken, ctx(ecKeys)));
  const [, body, sig] = ecToken.split('.');
  const relabel = (header: object) => `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${body}.${sig}`;
  assert.equal(verifyAccessToken(relabel({ alg: 'RS256', typ: 'JWT', kid: 'ec' }), ctx(ecKeys)), null);
  // Signed by the EC key as ES256 but labelled RS256: a good signature under a lying header is still refused.
  const claims = { iss: input.issuer, aud: input.audience, sub: 'x', exp: Math.floor(now / 1000) + 60 };
  assert.ok(verifyAccessToken(es256Signed({ alg: 'ES256', kid: 'ec' }, claims, ec.privateKey), ctx(ecKeys)), 'the same token labelled ES256 verifies');
  assert.equal(verifyAccessToken(es256Signed({ alg: 'RS256', kid: 'ec' }, claims, ec.privateKey), ctx(ecKeys)), null);
  assert.equal(verifyAccessToken(`${Buffer.from('{"alg":"none","kid":"ec"}').toString('base64url')}.${body}.`, ctx(ecKeys)), null);
  // HS256 with the public key's bytes as the secret (the classic confusion): refused.
  const pem = ec.publicKey.export({ type: 'spki', format: 'pem' });
  const hs = await new SignJWT({ iss: input.issuer, aud: input.audience, sub: 'x', exp: Math.floor(now / 1000) + 60 }).setProtectedHeader({ alg: 'HS256', kid: 'ec' }).sign(Buffer.from(pem));
  assert.equal(verifyAccessToken(hs, ctx(ecKeys)), null);
  // A kid the map lacks.
  assert.equal(verifyAccessToken(ecToken, ctx(keys)), null);
});

test('an id_token_hint is accepted only under an RS256 key, with RS256', async () => {
  const ec = pairs.get('ES256')!;
  const rsa = pairs.get('RS256')!;
  const claims = { iss: 'https://t.example/', sub: 'auth0|u', aud: 'client' };
  const ecHint = await signJwt(claims, { kid: 'ec', alg: 'ES256', privateKey: ec.privateKey });
  const rsHint = await signJwt(claims, { kid: 'rs', alg: 'RS256', privateKey: rsa.privateKey });
  const keys = new Map([
    ['ec', { alg: 'ES256' as const, key: ec.publicKey }],
    ['rs', { alg: 'RS256' as const, key: rsa.publicKey }],
  ]);
  assert.equal(verifyIdTokenHint(rsHint, { keys, issuers: ['https://t.example/'] })?.sub, 'auth0|u');
  assert.equal(verifyIdTokenHint(ecHint, { keys, issuers: ['https://t.example/'] }), null);
  // An EC key's good signature under an RS256 header: refused too (ID tokens come from the RS256 family only).
  assert.equal(verifyIdTokenHint(es256Signed({ alg: 'RS256', kid: 'ec' }, claims, ec.privateKey), { keys, issuers: ['https://t.example/'] }), null);
});
