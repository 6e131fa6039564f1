/**
 * Interop: assertions produced by the libraries our users sign with are accepted as they come.
 * `jose` (SignJWT, as in Auth0's docs) and `jsonwebtoken` (sign), unmodified defaults.
 */
import assert from 'node:assert/strict';
import { randomUUID, type KeyObject } from 'node:crypto';
import { describe, test } from 'node:test';
import { SignJWT } from 'jose';
import jwt from 'jsonwebtoken';
import { ISSUER, NOW_S, CLIENT_ID, accepts, context, credential, keys, rejects } from '../../../test/support/assertion-fixtures.ts';

const cases: [alg: string, privateKey: KeyObject, publicKey: KeyObject][] = [
  ['RS256', keys.rsaA.privateKey, keys.rsaA.publicKey],
  ['RS384', keys.rsaA.privateKey, keys.rsaA.publicKey],
  ['PS256', keys.rsaA.privateKey, keys.rsaA.publicKey],
  ['PS512', keys.rsaA.privateKey, keys.rsaA.publicKey],
  ['ES256', keys.p256.privateKey, keys.p256.publicKey],
  ['ES384', keys.p384.privateKey, keys.p384.publicKey],
  ['EdDSA', keys.ed25519.privateKey, keys.ed25519.publicKey],
];

describe('jose SignJWT', () => {
  for (const [alg, privateKey, publicKey] of cases) {
    test(`${alg} assertion is accepted`, async () => {
      const token = await new SignJWT({})
        .setProtectedHeader({ alg, kid: 'kid-A' })
        .setIssuer(CLIENT_ID)
        .setSubject(CLIENT_ID)
        .setAudience(ISSUER)
        .setIssuedAt(NOW_S)
        .setExpirationTime(NOW_S + 60)
        .setJti(randomUUID())
        .sign(privateKey);
      const verified = accepts(token, context({ credentials: [credential({ alg, key: publicKey })] }));
      assert.equal(verified.credentialId, 'cred_A');
      assert.equal(verified.exp, NOW_S + 60);
    });
  }

  test('as in Auth0’s docs (relative 1m expiry, real clock), with typ client-authentication+jwt, is accepted', async () => {
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', typ: 'client-authentication+jwt' })
      .setIssuer(CLIENT_ID)
      .setSubject(CLIENT_ID)
      .setAudience(ISSUER)
      .setIssuedAt()
      .setExpirationTime('1m')
      .setJti(randomUUID())
      .sign(keys.rsaA.privateKey);
    accepts(token, context({ now: Date.now() }));
  });
});

describe('jsonwebtoken sign', () => {
  for (const [alg, privateKey, publicKey] of cases.filter(([alg]) => alg !== 'EdDSA')) {
    test(`${alg} assertion (with its default typ JWT) is accepted`, () => {
      const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
      const token = jwt.sign({ iat: NOW_S }, pem, {
        algorithm: alg as jwt.Algorithm,
        keyid: 'kid-A',
        issuer: CLIENT_ID,
        subject: CLIENT_ID,
        audience: ISSUER,
        jwtid: randomUUID(),
        expiresIn: 60,
      });
      assert.equal(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).typ, 'JWT');
      assert.equal(accepts(token, context({ credentials: [credential({ alg, key: publicKey })] })).exp, NOW_S + 60);
    });
  }

  test('an assertion without jti (jsonwebtoken does not add one) is refused: jti_missing', () => {
    const token = jwt.sign({ iat: NOW_S }, keys.rsaA.privateKey.export({ type: 'pkcs8', format: 'pem' }), {
      algorithm: 'RS256',
      issuer: CLIENT_ID,
      subject: CLIENT_ID,
      audience: ISSUER,
      expiresIn: 60,
    });
    rejects(token, 'jti_missing');
  });
});
