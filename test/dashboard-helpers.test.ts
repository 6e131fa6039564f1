/**
 * The dashboard's pure helpers that decide what a person reads: server refusals in sentences
 * with local dates, the key kind read from a PEM (which narrows the algorithm list), the
 * Application URIs a person types and the grants offered to each type of application.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { humanMessage } from '../src/web/messages.ts';
import { ALGORITHMS, algsForKey, keyShapeOf } from '../src/web/credentials/key-shape.ts';
import { testCertificate } from './support/tls.ts';
import { formatUrlList, parseUrlList, whyUrlListRefused, whyUrlRefused } from '../src/web/applications/redirect-urls.ts';
import { grantOptionsFor, grantTypesToSave, sameGrants } from '../src/web/applications/grant-types.ts';

test('server refusals become sentences; instants in other messages become local dates', () => {
  assert.equal(humanMessage('too_many_enabled_credentials', 'Array is too long (3), maximum 2: …'), 'Only 2 credentials can be enabled at once. Disable one before enabling another.');
  const dated = humanMessage('certificate_expired', 'The certificate expired at 2027-03-01T14:05:00.000Z. Upload a certificate that is currently valid.');
  assert.doesNotMatch(dated, /\d{4}-\d{2}-\d{2}T/);
  assert.match(dated, /^The certificate expired at .*2027.*\. Upload a certificate that is currently valid\.$/);
  assert.equal(humanMessage('some_new_code', 'Plain words stay.'), 'Plain words stay.');
});

test('the key kind is read from a public key, a PKCS#1 key or a certificate; anything else yields every algorithm', () => {
  const spki = (k: ReturnType<typeof generateKeyPairSync>['publicKey']) => k.export({ type: 'spki', format: 'pem' }).toString();
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
  assert.deepEqual(keyShapeOf(spki(rsa)), { keyType: 'RSA' });
  assert.deepEqual(keyShapeOf(rsa.export({ type: 'pkcs1', format: 'pem' }).toString()), { keyType: 'RSA' });
  assert.deepEqual(keyShapeOf(spki(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey)), { keyType: 'EC', curve: 'P-256' });
  assert.deepEqual(keyShapeOf(spki(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey)), { keyType: 'EC', curve: 'P-384' });
  assert.deepEqual(keyShapeOf(spki(generateKeyPairSync('ed25519').publicKey)), { keyType: 'OKP', curve: 'Ed25519' });
  // The test certificate's key is RSA; its signature algorithm OID must not be mistaken for the key's.
  const cert = testCertificate().cert;
  assert.equal(createPublicKey(cert).asymmetricKeyType, 'rsa');
  assert.deepEqual(keyShapeOf(cert), { keyType: 'RSA' });
  assert.deepEqual(algsForKey(keyShapeOf(spki(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey)), ALGORITHMS), ['ES256']);
  for (const junk of ['', 'hello', '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----', '-----BEGIN PUBLIC KEY-----\n' + 'MII'.repeat(5000)]) {
    assert.equal(keyShapeOf(junk), null, JSON.stringify(junk.slice(0, 40)));
    assert.deepEqual(algsForKey(keyShapeOf(junk), ALGORITHMS), ALGORITHMS);
  }
});

test('Application URIs: one URL per line or comma-separated; each refusal says why, as the server would refuse it', () => {
  assert.deepEqual(parseUrlList(' https://a.example/cb ,https://b.example/cb\r\n\n  http://localhost:3000/callback \n,'), [
    'https://a.example/cb',
    'https://b.example/cb',
    'http://localhost:3000/callback',
  ]);
  assert.deepEqual(parseUrlList(''), []);
  assert.equal(formatUrlList(['https://a.example', 'https://b.example']), 'https://a.example\nhttps://b.example');
  for (const ok of ['https://app.example.com/callback', 'http://localhost:3000/callback', 'http://127.0.0.1:8080/', 'http://[::1]:3000/cb', 'https://app.example.com/cb?x=1']) {
    assert.equal(whyUrlRefused(ok), null, ok);
  }
  const refusals: [string, RegExp][] = [
    ['http://app.example.com/callback', /must use https\. Plain http is allowed only for localhost and 127\.0\.0\.1\./],
    ['ftp://app.example.com/', /must be an https URL/],
    ['javascript:alert(1)', /must be an https URL/],
    ['/callback', /is not an absolute URL/],
    ['app.example.com/callback', /is not an absolute URL/],
    ['https://app.example.com/cb#done', /contains a fragment \(#\)/],
    ['https://*.example.com/cb', /contains a wildcard \(\*\)/],
    ['https://user:pw@app.example.com/cb', /contains a user name or password/],
    ['https://app.example.com/a b', /contains a space/],
    ['https://app.example.com/' + 'x'.repeat(2048), /is longer than 2048 characters/],
  ];
  for (const [u, why] of refusals) assert.match(whyUrlRefused(u) ?? 'accepted', why, u);
  // A long URL is cut in the message, so the message stays readable.
  assert.ok((whyUrlRefused('http://example.com/' + 'y'.repeat(500)) ?? '').length < 160);
  assert.equal(whyUrlListRefused(['https://a.example', 'http://b.example']), whyUrlRefused('http://b.example'));
  assert.match(whyUrlListRefused(Array.from({ length: 101 }, (_, i) => `https://a.example/${i}`)) ?? '', /101 URLs: at most 100 are allowed\./);
  assert.equal(whyUrlListRefused([]), null);
});

test('Grant Types: Client Credentials only for confidential applications; grants the card does not offer are kept', () => {
  assert.deepEqual(grantOptionsFor('regular_web').map((g) => g.type), ['authorization_code', 'refresh_token', 'client_credentials']);
  assert.deepEqual(grantOptionsFor('non_interactive').map((g) => g.type), ['authorization_code', 'refresh_token', 'client_credentials']);
  assert.deepEqual(grantOptionsFor('spa').map((g) => g.type), ['authorization_code', 'refresh_token']);
  assert.deepEqual(grantOptionsFor('native').map((g) => g.type), ['authorization_code', 'refresh_token']);
  const spa = grantOptionsFor('spa');
  assert.deepEqual(grantTypesToSave(['client_credentials', 'authorization_code'], spa, new Set(['refresh_token'])), ['refresh_token', 'client_credentials']);
  assert.deepEqual(grantTypesToSave([], grantOptionsFor('regular_web'), new Set(['client_credentials', 'authorization_code'])), ['authorization_code', 'client_credentials']);
  assert.ok(sameGrants(['a', 'b'], ['b', 'a']));
  assert.ok(!sameGrants(['a'], ['a', 'b']));
});
