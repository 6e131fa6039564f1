import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { certificateSha1, pkcs7CertificateBundle, selfSignedCertificate } from './self-signed-certificate.ts';
import { oid, time, unsignedInteger } from './der.ts';
import { encodePem } from './credentials/pem-armor.ts';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const notBefore = Date.UTC(2026, 0, 2, 3, 4, 5);
const notAfter = Date.UTC(2036, 0, 2, 3, 4, 5);

test('DER primitives encode as X.690 says (known vectors)', () => {
  assert.equal(oid('1.2.840.113549.1.1.11').toString('hex'), '06092a864886f70d01010b');
  assert.equal(oid('2.5.4.3').toString('hex'), '0603550403');
  assert.equal(unsignedInteger(Buffer.from([0x80])).toString('hex'), '02020080');
  assert.equal(unsignedInteger(Buffer.from([0, 0, 1])).toString('hex'), '020101');
  assert.equal(time(Date.UTC(2049, 11, 31, 23, 59, 59)).toString('latin1').slice(2), '491231235959Z');
  assert.equal(time(Date.UTC(2050, 0, 1)).toString('latin1').slice(2), '20500101000000Z');
  assert.throws(() => oid('3.1'), /Not an OID/);
});

test('the certificate parses, carries the key, is self-issued and its signature verifies with its own key', () => {
  const der = selfSignedCertificate({ privateKey, commonName: 'acme.signet.test', notBefore, notAfter });
  const cert = new X509Certificate(der);
  assert.equal(cert.subject, 'CN=acme.signet.test');
  assert.equal(cert.issuer, 'CN=acme.signet.test');
  assert.equal(cert.ca, false);
  assert.equal(new Date(cert.validFrom).getTime(), notBefore);
  assert.equal(new Date(cert.validTo).getTime(), notAfter);
  assert.deepEqual(cert.publicKey.export({ format: 'jwk' }), createPublicKey(privateKey).export({ format: 'jwk' }));
  assert.ok(cert.verify(cert.publicKey));
  assert.ok(cert.checkPrivateKey(privateKey));
  // A different key's signature would not verify: the check above can fail.
  assert.equal(cert.verify(createPublicKey(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey)), false);
  assert.equal(certificateSha1(der).toString('hex').toUpperCase(), cert.fingerprint.replaceAll(':', ''));
});

test('OpenSSL accepts the certificate (self-signed chain) and reads the PKCS#7 bundle back', () => {
  const der = selfSignedCertificate({ privateKey, commonName: 'acme.signet.test', notBefore: Date.now() - 1000, notAfter: Date.now() + 86400_000 });
  const dir = mkdtempSync(join(tmpdir(), 'signet-cert-'));
  try {
    const pem = join(dir, 'cert.pem');
    writeFileSync(pem, encodePem('CERTIFICATE', der));
    assert.match(execFileSync('openssl', ['verify', '-CAfile', pem, '-partial_chain', pem]).toString(), /OK/);
    const p7 = join(dir, 'bundle.p7');
    writeFileSync(p7, encodePem('PKCS7', pkcs7CertificateBundle(der)));
    const printed = execFileSync('openssl', ['pkcs7', '-in', p7, '-print_certs']).toString();
    const back = new X509Certificate(printed.slice(printed.indexOf('-----BEGIN CERTIFICATE-----')));
    assert.deepEqual(back.raw, der);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Ed25519's signature AlgorithmIdentifier is also its key's (in the SubjectPublicKeyInfo): three occurrences.
for (const [name, make, signatureOid, occurrences] of [
  ['EC P-256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' }), '06082a8648ce3d040302', 2],
  ['Ed25519', () => generateKeyPairSync('ed25519'), '06032b6570', 3],
] as const) {
  test(`${name}: the certificate parses, carries the key, names the signature algorithm and verifies with its own key`, () => {
    const pair = make();
    const der = selfSignedCertificate({ privateKey: pair.privateKey, commonName: 'acme.signet.test', notBefore, notAfter });
    const cert = new X509Certificate(der);
    assert.equal(cert.subject, 'CN=acme.signet.test');
    assert.deepEqual(cert.publicKey.export({ format: 'jwk' }), pair.publicKey.export({ format: 'jwk' }));
    assert.ok(cert.verify(pair.publicKey));
    assert.ok(cert.checkPrivateKey(pair.privateKey));
    assert.equal(cert.verify(make().publicKey), false);
    // The signature AlgorithmIdentifier, without parameters, in the TBS and before the signature.
    const algId = `30${(signatureOid.length / 2).toString(16).padStart(2, '0')}${signatureOid}`;
    assert.equal(der.toString('hex').split(algId).length - 1, occurrences, `${algId} in the certificate`);
  });
}

test('OpenSSL accepts EC and Ed25519 certificates as self-signed chains', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-cert-'));
  try {
    for (const pair of [generateKeyPairSync('ec', { namedCurve: 'P-256' }), generateKeyPairSync('ed25519')]) {
      const der = selfSignedCertificate({ privateKey: pair.privateKey, commonName: 'acme.signet.test', notBefore: Date.now() - 1000, notAfter: Date.now() + 86400_000 });
      const pem = join(dir, 'cert.pem');
      writeFileSync(pem, encodePem('CERTIFICATE', der));
      assert.match(execFileSync('openssl', ['verify', '-CAfile', pem, '-partial_chain', pem]).toString(), /OK/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('refuses what it cannot make', () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
  assert.throws(() => selfSignedCertificate({ privateKey: ec, commonName: 'x', notBefore, notAfter }), /RSA, EC P-256 or Ed25519/);
  const x448 = generateKeyPairSync('ed448').privateKey;
  assert.throws(() => selfSignedCertificate({ privateKey: x448, commonName: 'x', notBefore, notAfter }), /RSA, EC P-256 or Ed25519/);
  assert.throws(() => selfSignedCertificate({ privateKey, commonName: 'x', notBefore: notAfter, notAfter: notBefore }), /later/);
});
