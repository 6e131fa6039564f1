/**
 * Specification of verifyJwsSignature: one signature, one parsed key, a boolean, never a throw.
 */
import assert from 'node:assert/strict';
import { constants, createSecretKey, sign } from 'node:crypto';
import { describe, test } from 'node:test';
import { ASSERTION_SIGNING_ALGS, isAssertionSigningAlg, verifyJwsSignature } from './index.ts';
import { keys, signWith } from '../../../test/support/assertion-fixtures.ts';

const input = 'eyJhbGciOiJQUzI1NiJ9.eyJpc3MiOiJjIn0';
const data = Buffer.from(input);
const sig = (alg: string, key = keys.rsaA.privateKey) => Buffer.from(signWith(alg, input, key), 'base64url');

describe('verifyJwsSignature', () => {
  test('supports exactly RS256/384/512, PS256/384/512, ES256, ES384 and EdDSA', () => {
    assert.deepEqual([...ASSERTION_SIGNING_ALGS], ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA']);
    for (const alg of ['HS256', 'none', 'ES512', 'RSA1_5', 'toString', 'constructor']) assert.equal(isAssertionSigningAlg(alg), false, alg);
  });

  test('RS*: PKCS#1 v1.5 with the alg’s hash; another hash does not verify', () => {
    for (const alg of ['RS256', 'RS384', 'RS512']) {
      assert.equal(verifyJwsSignature(alg, keys.rsaA.publicKey, data, sig(alg)), true, alg);
      assert.equal(verifyJwsSignature(alg, keys.rsaB.publicKey, data, sig(alg)), false, `${alg} other key`);
    }
    assert.equal(verifyJwsSignature('RS384', keys.rsaA.publicKey, data, sig('RS256')), false);
    assert.equal(verifyJwsSignature('PS256', keys.rsaA.publicKey, data, sig('RS256')), false);
  });

  test('PS*: RSASSA-PSS with salt length = hash length (RFC 7518 §3.5), other salt lengths refused', () => {
    for (const alg of ['PS256', 'PS384', 'PS512']) assert.equal(verifyJwsSignature(alg, keys.rsaA.publicKey, data, sig(alg)), true, alg);
    for (const saltLength of [0, 20, constants.RSA_PSS_SALTLEN_MAX_SIGN]) {
      const other = sign('sha256', data, { key: keys.rsaA.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength });
      assert.equal(verifyJwsSignature('PS256', keys.rsaA.publicKey, data, other), false, `salt ${saltLength}`);
    }
    assert.equal(verifyJwsSignature('RS256', keys.rsaA.publicKey, data, sig('PS256')), false);
  });

  test('ES256/ES384: IEEE P1363 (R||S) of exactly 64/96 bytes on the right curve', () => {
    assert.equal(verifyJwsSignature('ES256', keys.p256.publicKey, data, sig('ES256', keys.p256.privateKey)), true);
    assert.equal(verifyJwsSignature('ES384', keys.p384.publicKey, data, sig('ES384', keys.p384.privateKey)), true);
    const der = sign('sha256', data, keys.p256.privateKey); // ASN.1 DER, what naive signers produce
    assert.equal(verifyJwsSignature('ES256', keys.p256.publicKey, data, der), false);
    const good = sig('ES256', keys.p256.privateKey);
    assert.equal(verifyJwsSignature('ES256', keys.p256.publicKey, data, Buffer.concat([good, Buffer.alloc(1)])), false);
    assert.equal(verifyJwsSignature('ES256', keys.p256.publicKey, data, good.subarray(0, 63)), false);
    assert.equal(verifyJwsSignature('ES384', keys.p256.publicKey, data, good), false, 'P-256 key under ES384');
    assert.equal(verifyJwsSignature('ES256', keys.p384.publicKey, data, sig('ES384', keys.p384.privateKey).subarray(0, 64)), false, 'P-384 key under ES256');
  });

  test('EdDSA: Ed25519 and Ed448', () => {
    assert.equal(verifyJwsSignature('EdDSA', keys.ed25519.publicKey, data, sig('EdDSA', keys.ed25519.privateKey)), true);
    assert.equal(verifyJwsSignature('EdDSA', keys.ed448.publicKey, data, sig('EdDSA', keys.ed448.privateKey)), true);
    assert.equal(verifyJwsSignature('EdDSA', keys.ed25519.publicKey, data, sig('EdDSA', keys.ed448.privateKey)), false);
    assert.equal(verifyJwsSignature('EdDSA', keys.ed25519.publicKey, data, Buffer.alloc(63)), false);
  });

  test('wrong-length RSA signatures are refused without calling into OpenSSL errors', () => {
    const good = sig('RS256');
    assert.equal(good.length, 256);
    for (const bad of [good.subarray(1), Buffer.concat([Buffer.alloc(1), good]), Buffer.alloc(0)]) {
      assert.equal(verifyJwsSignature('RS256', keys.rsaA.publicKey, data, bad), false);
    }
  });

  test('never throws: HMAC algs, secret keys, keys of the wrong type, garbage', () => {
    const secret = createSecretKey(Buffer.from('0123456789abcdef0123456789abcdef'));
    const hmac = Buffer.from(signWith('HS256', input, Buffer.from('0123456789abcdef0123456789abcdef')), 'base64url');
    assert.equal(verifyJwsSignature('HS256', secret, data, hmac), false);
    for (const alg of ASSERTION_SIGNING_ALGS) {
      assert.equal(verifyJwsSignature(alg, secret, data, Buffer.alloc(64)), false, alg);
      assert.equal(verifyJwsSignature(alg, keys.ed25519.publicKey, data, Buffer.alloc(256)), false, alg);
      assert.equal(verifyJwsSignature(alg, keys.rsaA.publicKey, Buffer.alloc(0), Buffer.alloc(256, 0xff)), false);
    }
  });
});
