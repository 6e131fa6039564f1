/** importStoredKey: the token endpoint's fast path from a stored credential PEM to a verification key. */
import assert from 'node:assert/strict';
import { sign, verify } from 'node:crypto';
import { describe, it } from 'node:test';
import { checkNewCredential } from './check-new-credential.ts';
import { importStoredKey } from './import-stored-key.ts';
import { ecKey, ed25519Key, pkcs1Pem, rsaKey, selfSignedCertificate, spkiPem } from '../../../test/support/credential-material.ts';

const data = Buffer.from('header.payload');

describe('importStoredKey', () => {
  it('imports the stored SPKI PEM of every key type, and the key verifies signatures of its private key', () => {
    for (const [pair, alg] of [[rsaKey(2048), 'RS256'], [ecKey('P-256'), 'ES256'], [ed25519Key(), 'EdDSA']] as const) {
      const stored = checkNewCredential({ credential_type: 'public_key', pem: spkiPem(pair), alg }, { now: new Date(), existing: [] }).pem;
      const key = importStoredKey(stored);
      assert.equal(key.type, 'public');
      assert.ok(key.equals(pair.publicKey));
      const digest = pair.publicKey.asymmetricKeyType === 'ed25519' ? null : 'sha256';
      assert.ok(verify(digest, data, key, sign(digest, data, pair.privateKey)));
    }
  });

  it('imports a PKCS#1 upload, stored as SPKI', () => {
    const stored = checkNewCredential({ credential_type: 'public_key', pem: pkcs1Pem(rsaKey(2048)) }, { now: new Date(), existing: [] }).pem;
    assert.ok(importStoredKey(stored).equals(rsaKey(2048).publicKey));
  });

  it('imports the public key of a stored certificate', () => {
    const cert = selfSignedCertificate({ key: 'ec256' });
    const stored = checkNewCredential({ credential_type: 'x509_cert', pem: cert.certPem, alg: 'ES256' }, { now: new Date(), existing: [] }).pem;
    const key = importStoredKey(stored);
    assert.equal(key.type, 'public');
    assert.equal(key.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  });

  it('throws a plain Error for anything that is not a stored SPKI or certificate PEM, including private keys', () => {
    const privatePem = rsaKey(2048).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    assert.throws(() => importStoredKey(privatePem), /neither a PUBLIC KEY nor a CERTIFICATE/);
    assert.throws(() => importStoredKey(pkcs1Pem(rsaKey(2048))), /neither a PUBLIC KEY nor a CERTIFICATE/);
    assert.throws(() => importStoredKey('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n'), /could not be imported/);
  });
});
