/** importStoredKey: the token endpoint's fast path from a stored credential PEM to a verification key. */
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { describe, it } from 'node:test';
import { checkNewCredential } from './check-new-credential.ts';
import { importSpkiFromParameters, importStoredKey } from './import-stored-key.ts';
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

  describe('from parameters (the fast path): the same key OpenSSL would import, or OpenSSL decides', () => {
    const der = (pair: { publicKey: KeyObject }) => pair.publicKey.export({ type: 'spki', format: 'der' });
    const armor = (d: Buffer) => `-----BEGIN PUBLIC KEY-----\n${d.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END PUBLIC KEY-----\n`;
    const tlv = (tag: number, content: Buffer) => {
      const n = content.length;
      const len = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
      return Buffer.concat([Buffer.from([tag]), len, content]);
    };
    /** An SPKI from its parts, so that each part can be made wrong on its own. */
    const spki = (algorithm: Buffer, key: Buffer, opts: { unusedBits?: number; after?: Buffer } = {}) =>
      tlv(0x30, Buffer.concat([tlv(0x30, algorithm), tlv(0x03, Buffer.concat([Buffer.from([opts.unusedBits ?? 0]), key])), opts.after ?? Buffer.alloc(0)]));
    /** The parts of a real SPKI: the AlgorithmIdentifier's contents and the key bytes. */
    const parts = (d: Buffer) => {
      const algLen = d[d[1]! & 0x80 ? 2 + (d[1]! & 0x7f) + 1 : 3]!;
      const algStart = (d[1]! & 0x80 ? 2 + (d[1]! & 0x7f) : 2) + 2;
      const algorithm = d.subarray(algStart, algStart + algLen);
      const bits = algStart + algLen;
      const bitsLenByte = d[bits + 1]!;
      const bitsStart = bits + 2 + (bitsLenByte & 0x80 ? bitsLenByte & 0x7f : 0);
      return { algorithm, key: d.subarray(bitsStart + 1) };
    };
    /** importStoredKey and OpenSSL's own parser agree: both refuse, or both give the same key. */
    const agrees = (d: Buffer, what: string) => {
      const pem = armor(d);
      let openssl: KeyObject | undefined;
      try {
        openssl = createPublicKey({ key: pem, format: 'pem', type: 'spki' });
      } catch {
        // refused by OpenSSL: importStoredKey must refuse too
      }
      if (openssl) assert.ok(importStoredKey(pem).equals(openssl), what);
      else assert.throws(() => importStoredKey(pem), /could not be imported/, what);
      return openssl !== undefined;
    };

    it('RSA (2048, 3072, 4096 bits, exponent 3), P-256 and Ed25519 keys are built from their parameters, equal to the OpenSSL import', () => {
      const pairs = [rsaKey(2048), rsaKey(3072), rsaKey(4096), generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 3 }), ecKey('P-256'), ed25519Key()];
      for (const pair of pairs) {
        const key = importSpkiFromParameters(spkiPem(pair));
        const { modulusLength, namedCurve } = pair.publicKey.asymmetricKeyDetails ?? {};
        assert.ok(key, `${pair.publicKey.asymmetricKeyType} ${modulusLength ?? namedCurve ?? ''}`);
        assert.ok(key.equals(pair.publicKey));
        assert.ok(importStoredKey(spkiPem(pair)).equals(pair.publicKey));
      }
    });

    it('P-384 and P-521 keys and compressed P-256 points are left to OpenSSL, which imports them', () => {
      for (const pair of [ecKey('P-384'), ecKey('P-521')]) {
        assert.equal(importSpkiFromParameters(spkiPem(pair)), undefined);
        assert.ok(importStoredKey(spkiPem(pair)).equals(pair.publicKey));
      }
      const p256 = ecKey('P-256');
      const { algorithm, key } = parts(der(p256));
      const compressed = Buffer.concat([Buffer.from([0x02 + (key[64]! & 1)]), key.subarray(1, 33)]);
      assert.equal(importSpkiFromParameters(armor(spki(algorithm, compressed))), undefined);
      assert.ok(agrees(spki(algorithm, compressed), 'compressed P-256 point'));
      assert.ok(importStoredKey(armor(spki(algorithm, compressed))).equals(p256.publicKey));
    });

    it('an SPKI with a byte out of place is never imported from parameters: OpenSSL decides', () => {
      for (const pair of [rsaKey(2048), ecKey('P-256'), ed25519Key()]) {
        const real = der(pair);
        const { algorithm, key } = parts(real);
        assert.ok(agrees(spki(algorithm, key), 'rebuilt as is'), 'the rebuilt SPKI is the real one');
        const cases: [string, Buffer][] = [
          ['a byte after the SPKI', Buffer.concat([real, Buffer.from([0])])],
          ['an element after the BIT STRING inside the SPKI', spki(algorithm, key, { after: tlv(0x05, Buffer.alloc(0)) })],
          ['unused bits in the BIT STRING', spki(algorithm, key, { unusedBits: 1 })],
          ['a byte after the key inside the BIT STRING', spki(algorithm, Buffer.concat([key, Buffer.from([0])]))],
          ['the key one byte short', spki(algorithm, key.subarray(0, key.length - 1))],
        ];
        for (const [what, d] of cases) {
          assert.equal(importSpkiFromParameters(armor(d)), undefined, `${pair.publicKey.asymmetricKeyType}: ${what}`);
          // OpenSSL refuses all but the first (its PEM reader ignores bytes after the DER; stored PEMs never have them).
          agrees(d, `${pair.publicKey.asymmetricKeyType}: ${what}`);
        }
      }
      // An uncompressed P-256 point off the curve: built from its parameters, and refused like OpenSSL refuses it.
      const { algorithm, key } = parts(der(ecKey('P-256')));
      const off = Buffer.from(key);
      off[64] = off[64]! ^ 1;
      assert.equal(agrees(spki(algorithm, off), 'a P-256 point off the curve'), false);
    });

    it('agrees with OpenSSL on every single-byte change to the outline of RSA, P-256 and Ed25519 SPKIs', () => {
      for (const pair of [rsaKey(2048), ecKey('P-256'), ed25519Key()]) {
        const real = der(pair);
        // The outline (headers, algorithm identifier, the key's own header) is in the first 40 bytes.
        for (let i = 0; i < Math.min(40, real.length); i++) {
          for (const v of [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x30, 0x7f, 0x80, 0x81, 0x82, 0xff, real[i]! ^ 0x01]) {
            if (v === real[i]) continue;
            const d = Buffer.from(real);
            d[i] = v;
            agrees(d, `${pair.publicKey.asymmetricKeyType}: byte ${i} set to ${v}`);
          }
        }
      }
    });
  });
});
