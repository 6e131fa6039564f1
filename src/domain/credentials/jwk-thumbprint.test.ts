import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { calculateJwkThumbprint } from 'jose';
import { jwkThumbprint } from './jwk-thumbprint.ts';
import { ecKey, ed25519Key, refusal, rsaKey } from '../../../test/support/credential-material.ts';

// RFC 7638 §3.1.
const RFC7638_KEY = {
  kty: 'RSA',
  n:
    '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMs' +
    'tn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91Cb' +
    'OpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
  e: 'AQAB',
  alg: 'RS256',
  kid: '2011-04-29',
};

describe('jwkThumbprint (RFC 7638, SHA-256, base64url)', () => {
  it('matches the example of RFC 7638 §3.1', () => {
    assert.equal(jwkThumbprint(RFC7638_KEY), 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it('hashes only the required members, whatever else the JWK carries and in whatever order', () => {
    const { kid, alg, ...bare } = RFC7638_KEY;
    void kid;
    void alg;
    const reordered = { e: bare.e, n: bare.n, kty: bare.kty, use: 'sig', d: 'private-part-is-ignored', x5c: ['x'] };
    assert.equal(jwkThumbprint(bare), 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
    assert.equal(jwkThumbprint(reordered), 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it('agrees with jose for RSA, EC (crv, kty, x, y) and OKP (crv, kty, x) keys', async () => {
    for (const pair of [rsaKey(2048), ecKey('P-256'), ecKey('P-384'), ed25519Key()]) {
      const jwk = pair.publicKey.export({ format: 'jwk' });
      assert.equal(jwkThumbprint(jwk), await calculateJwkThumbprint(jwk as Parameters<typeof calculateJwkThumbprint>[0], 'sha256'));
    }
  });

  it('is base64url without padding (43 characters for SHA-256)', () => {
    assert.match(jwkThumbprint(ecKey('P-256').publicKey.export({ format: 'jwk' })), /^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses a key type without an RFC 7638 member list (unsupported_key_type)', () => {
    const error = refusal(() => jwkThumbprint({ kty: 'oct', k: 'c2VjcmV0' }));
    assert.equal(error.code, 'unsupported_key_type');
  });

  it('refuses a JWK missing a required member (invalid_jwk)', () => {
    const error = refusal(() => jwkThumbprint({ kty: 'EC', crv: 'P-256', x: 'abc' }));
    assert.equal(error.code, 'invalid_jwk');
    assert.match(error.message, /"y"/);
  });
});
