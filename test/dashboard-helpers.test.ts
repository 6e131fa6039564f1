/**
 * The dashboard's pure helpers that decide what a person reads: server refusals in sentences
 * with local dates, and the key kind read from a PEM (which narrows the algorithm list).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { humanMessage } from '../src/web/messages.ts';
import { ALGORITHMS, algsForKey, keyShapeOf } from '../src/web/credentials/key-shape.ts';
import { testCertificate } from './support/tls.ts';

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
