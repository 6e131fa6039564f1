/**
 * Specification of verifyClientAssertion: key selection, signature, then claims (steps 4–5).
 *
 * Each refusal comes with its control: the same assertion (or one differing only in the
 * aspect under test) is accepted, so the test fails if the check under test broke.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { DEFAULT_ASSERTION_POLICY, decodeClientAssertion, verifyClientAssertion, type DecodedAssertion } from './index.ts';
import { MAX_CLOCK_SKEW_SECONDS } from '../tenant-settings.ts';
import {
  CLIENT_ID,
  ISSUER,
  NOW,
  NOW_S,
  TOKEN_ENDPOINT,
  accepts,
  assertion,
  context,
  credential,
  keys,
  refusal,
  rejects,
  type KeyPair,
} from '../../../test/support/assertion-fixtures.ts';

const SKEW = DEFAULT_ASSERTION_POLICY.clockSkewSeconds;

describe('verifyClientAssertion', () => {
  describe('accepts a valid assertion', () => {
    test('and returns the credential, jti, exp and the replay deadline (exp + the largest skew a tenant may set)', () => {
      const jti = 'a7c1d2e3-0000-4000-8000-000000000001';
      const verified = accepts(assertion({ payload: { jti, exp: NOW_S + 60 } }));
      assert.deepEqual(verified, {
        credentialId: 'cred_A',
        kid: 'kid-A',
        jti,
        exp: NOW_S + 60,
        replayUntil: (NOW_S + 60 + MAX_CLOCK_SKEW_SECONDS) * 1000,
        legacyAudience: false,
      });
    });

    test('policy defaults are Auth0’s: 2048 bytes, 5 minutes, 10 s skew, strict audience', () => {
      assert.deepEqual(DEFAULT_ASSERTION_POLICY, { maxAssertionBytes: 2048, maxLifetimeSeconds: 300, clockSkewSeconds: 10, audiencePolicy: 'strict' });
    });

    const algs: [alg: string, pair: KeyPair][] = [
      ['RS256', keys.rsaA],
      ['RS384', keys.rsaA],
      ['RS512', keys.rsaA],
      ['PS256', keys.rsaA],
      ['PS384', keys.rsaA],
      ['PS512', keys.rsaA],
      ['ES256', keys.p256],
      ['ES384', keys.p384],
      ['EdDSA', keys.ed25519],
      ['EdDSA', keys.ed448],
    ];
    for (const [alg, pair] of algs) {
      test(`signed with ${alg}${alg === 'EdDSA' ? ` (${pair.publicKey.asymmetricKeyType})` : ''}`, () => {
        const token = assertion({ header: { alg }, key: pair.privateKey });
        const ctx = context({ credentials: [credential({ alg, key: pair.publicKey })] });
        assert.equal(accepts(token, ctx).credentialId, 'cred_A');
        // and the same assertion with one flipped signature bit is refused
        const tampered = token.slice(0, -2) + (token.at(-2) === 'A' ? 'B' : 'A') + token.at(-1);
        rejects(tampered, 'invalid_signature', ctx);
      });
    }

    test('accepts typ JWT or client-authentication+jwt, in any case, with or without application/', () => {
      for (const typ of ['JWT', 'jwt', 'client-authentication+jwt', 'Client-Authentication+JWT', 'application/jwt', 'application/client-authentication+jwt']) {
        accepts(assertion({ header: { typ } }));
      }
    });
  });

  describe('credential selection', () => {
    const A = credential();
    const B = credential({ id: 'cred_B', kid: 'kid-B', key: keys.rsaB.publicKey });

    test('no_active_credential: the application has no enabled credential', () => {
      const token = assertion();
      accepts(token, context({ credentials: [A] }));
      const error = rejects(token, 'no_active_credential', context({ credentials: [] }));
      assert.match(error.message, /no enabled credential for private_key_jwt/);
      assert.equal(error.clientId, CLIENT_ID);
    });

    test('by kid: the credential with the header kid is used, and only that one', () => {
      const signedByB = assertion({ header: { kid: 'kid-B' }, key: keys.rsaB.privateKey });
      assert.equal(accepts(signedByB, context({ credentials: [A, B] })).credentialId, 'cred_B');
      assert.equal(accepts(signedByB, context({ credentials: [B, A] })).credentialId, 'cred_B');
      // B's signature under A's kid: B is not tried
      rejects(assertion({ header: { kid: 'kid-A' }, key: keys.rsaB.privateKey }), 'invalid_signature', context({ credentials: [A, B] }));
    });

    test('without kid: each candidate whose alg matches is tried', () => {
      const signedByB = assertion({ header: { kid: undefined }, key: keys.rsaB.privateKey });
      assert.equal(accepts(signedByB, context({ credentials: [A, B] })).credentialId, 'cred_B');
      const signedByA = assertion({ header: { kid: undefined } });
      assert.equal(accepts(signedByA, context({ credentials: [A, B] })).credentialId, 'cred_A');
      const es256 = assertion({ header: { alg: 'ES256', kid: undefined }, key: keys.p256.privateKey });
      const error = rejects(es256, 'alg_mismatch', context({ credentials: [A, B] }));
      assert.equal(error.message, `'alg' "ES256" does not match the algorithm the application's credentials are registered with`);
      assert.match(error.detail!, /'alg' "ES256" does not match the algorithm the application's credentials are registered with: RS256$/);
    });

    test('without kid: candidates registered for another alg are skipped', () => {
      const ec = credential({ id: 'cred_EC', kid: 'kid-EC', alg: 'ES256', key: keys.p256.publicKey });
      const token = assertion({ header: { alg: 'ES256', kid: undefined }, key: keys.p256.privateKey });
      assert.equal(accepts(token, context({ credentials: [A, ec] })).credentialId, 'cred_EC');
    });

    test('unknown_kid: no credential has the header kid', () => {
      const token = assertion({ header: { kid: 'kid-Z' } });
      accepts(token, context({ credentials: [A, credential({ id: 'cred_Z', kid: 'kid-Z' })] }));
      const error = rejects(token, 'unknown_kid', context({ credentials: [A, B] }));
      assert.match(error.message, /'kid' "kid-Z" does not match any enabled credential/);
    });

    test('credential_expired: the kid names an expired credential (kid and date in the detail only)', () => {
      const token = assertion();
      accepts(token, context({ credentials: [credential({ expiresAt: NOW + 1 })] }));
      const error = rejects(token, 'credential_expired', context({ credentials: [credential({ expiresAt: NOW })] }));
      assert.equal(error.message, "the credential the 'kid' names has expired: upload a new public key and sign with its private key");
      assert.match(error.detail!, /"kid-A" expired at 2026-06-01T12:00:00\.000Z/);
    });

    test('credential_expired: without kid, when every credential has expired', () => {
      const token = assertion({ header: { kid: undefined } });
      const expiredA = credential({ expiresAt: NOW - 1000 });
      const expiredB = credential({ id: 'cred_B', kid: 'kid-B', key: keys.rsaB.publicKey, expiresAt: NOW - 2000 });
      const error = rejects(token, 'credential_expired', context({ credentials: [expiredA, expiredB] }));
      assert.equal(error.message, 'every credential of the application has expired: upload a new public key and sign with its private key');
      assert.match(error.detail!, /every credential of the application has expired: "kid-A" expired at 2026-06-01T11:59:59\.000Z; "kid-B" expired at/);
    });

    test('an expired credential is never used, even when its key made the signature', () => {
      const signedByA = assertion({ header: { kid: undefined } });
      const ctx = context({ credentials: [credential({ expiresAt: NOW - 1 }), B] });
      assert.match(rejects(signedByA, 'invalid_signature', ctx).detail!, /credential "kid-B"/);
    });

    test('alg_mismatch: the header alg is not the alg the credential is registered with (named in the detail only)', () => {
      const ps256 = assertion({ header: { alg: 'PS256' } }); // signed with A's key, but PS256
      accepts(ps256, context({ credentials: [credential({ alg: 'PS256' })] }));
      const error = rejects(ps256, 'alg_mismatch', context({ credentials: [A] }));
      assert.equal(error.message, `'alg' "PS256" does not match the algorithm the credential the 'kid' names is registered with`);
      assert.match(error.detail!, /: RS256$/);
    });
  });

  describe('signature', () => {
    test('invalid_signature: signed by a key other than the credential’s', () => {
      const error = rejects(assertion({ key: keys.rsaB.privateKey }), 'invalid_signature');
      assert.match(error.message, /does not verify with the public key of the matching credential/);
      assert.match(error.detail!, /does not verify with the public key of credential "kid-A" \(RS256\)/);
      assert.equal(error.clientId, CLIENT_ID);
    });

    test('invalid_signature: the payload was changed after signing', () => {
      const token = assertion();
      const [h, , s] = token.split('.');
      const payload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()), sub: CLIENT_ID, extra: 1 })).toString('base64url');
      rejects(`${h}.${payload}.${s}`, 'invalid_signature');
    });

    test('invalid_signature: with two candidates and no kid, the detail names how many were tried', () => {
      const forged = assertion({ header: { kid: undefined }, key: keys.ed25519.privateKey, signAlg: 'EdDSA' }); // says RS256, is not
      const ctx = context({ credentials: [credential(), credential({ id: 'cred_B', kid: 'kid-B', key: keys.rsaB.publicKey })] });
      const error = rejects(forged, 'invalid_signature', ctx);
      assert.match(error.message, /any of the application's RS256 credentials/);
      assert.match(error.detail!, /any of the application's 2 RS256 credentials/);
    });

    test('the signature is checked before any claim: a forged expired assertion says invalid_signature', () => {
      const forged = assertion({ payload: { exp: NOW_S - 3600, iat: NOW_S - 3700, aud: 'https://evil/' }, key: keys.rsaB.privateKey });
      rejects(forged, 'invalid_signature');
    });

    test('wrong-length and garbage signatures are refused, never thrown', () => {
      const [h, p] = assertion().split('.');
      for (const sig of ['AAAA', 'A'.repeat(340), Buffer.alloc(512).toString('base64url')]) rejects(`${h}.${p}.${sig}`, 'invalid_signature');
      const ecCtx = context({ credentials: [credential({ alg: 'ES256', key: keys.p256.publicKey })] });
      const ec = assertion({ header: { alg: 'ES256' }, key: keys.p256.privateKey });
      accepts(ec, ecCtx);
      const [eh, ep] = ec.split('.');
      rejects(`${eh}.${ep}.${Buffer.alloc(65, 1).toString('base64url')}`, 'invalid_signature', ecCtx);
      rejects(`${eh}.${ep}.${Buffer.alloc(72, 1).toString('base64url')}`, 'invalid_signature', ecCtx); // DER-sized
    });

    test('a credential whose key does not fit its alg verifies nothing', () => {
      // misregistered: RS256 credential holding an EC key
      rejects(assertion(), 'invalid_signature', context({ credentials: [credential({ key: keys.p256.publicKey })] }));
      // ES256 credential holding a P-384 key
      rejects(assertion({ header: { alg: 'ES256' }, key: keys.p256.privateKey }), 'invalid_signature', context({ credentials: [credential({ alg: 'ES256', key: keys.p384.publicKey })] }));
    });
  });

  describe('alg confusion', () => {
    const pem = keys.rsaA.publicKey.export({ type: 'spki', format: 'pem' }) as string;

    test('HS256 signed with the RSA public key PEM as HMAC secret is refused (alg_symmetric)', () => {
      const token = assertion({ header: { alg: 'HS256' }, key: pem });
      const error = rejects(token, 'alg_symmetric');
      assert.match(error.message, /private_key_jwt requires an asymmetric signature/);
    });

    test('even if HS256 got past decoding, or a credential were registered as HS256, no HMAC is ever computed', () => {
      const token = assertion({ header: { alg: 'RS256' } });
      const [, p] = token.split('.');
      const h = Buffer.from(JSON.stringify({ alg: 'HS256', kid: 'kid-A' })).toString('base64url');
      const signingInput = `${h}.${p}`;
      const decoded: DecodedAssertion = {
        ...decodeClientAssertion(token, DEFAULT_ASSERTION_POLICY),
        header: { alg: 'HS256', kid: 'kid-A' },
        signingInput: Buffer.from(signingInput),
        signature: createHmac('sha256', pem).update(signingInput).digest(),
      };
      refusal(() => verifyClientAssertion(decoded, context({ credentials: [credential({ alg: 'HS256' })] })), 'invalid_signature');
      refusal(() => verifyClientAssertion(decoded, context()), 'alg_mismatch');
    });
  });

  describe('claims (checked after the signature)', () => {
    test('exp_missing: no exp', () => {
      const error = rejects(assertion({ payload: { exp: undefined } }), 'exp_missing');
      assert.match(error.message, /'exp' claim is required/);
      rejects(assertion({ payload: { exp: undefined }, key: keys.rsaB.privateKey }), 'invalid_signature');
    });

    test('assertion_expired: exp <= now - skew (exp just past is tolerated within the skew)', () => {
      const token = assertion({ payload: { iat: NOW_S - 70, exp: NOW_S - 10 } });
      accepts(token, context({ now: NOW - 1 })); // exp = now - skew + 1 ms
      const error = rejects(token, 'assertion_expired', context({ now: NOW }));
      assert.match(error.message, /'exp' claim is in the past: the assertion expired at 2026-06-01T11:59:50\.000Z \(server time 2026-06-01T12:00:00\.000Z, 10 s clock skew allowed\)/);
    });

    test('lifetime_exceeded: exp - iat must be at most maxLifetimeSeconds (Auth0’s message)', () => {
      accepts(assertion({ payload: { iat: NOW_S, exp: NOW_S + 300 } }));
      const error = rejects(assertion({ payload: { iat: NOW_S, exp: NOW_S + 301 } }), 'lifetime_exceeded');
      assert.match(error.message, /^'exp' claim must specify a time that is no more than 5 minutes after 'iat'/);
      const token = assertion({ payload: { iat: NOW_S, exp: NOW_S + 90 } });
      accepts(token, context({ policy: { maxLifetimeSeconds: 90 } }));
      assert.match(rejects(token, 'lifetime_exceeded', context({ policy: { maxLifetimeSeconds: 89 } })).message, /no more than 89 seconds after 'iat'/);
    });

    test('lifetime_exceeded: without iat, exp - now must be at most maxLifetimeSeconds (+ skew)', () => {
      accepts(assertion({ payload: { iat: undefined, exp: NOW_S + 300 + SKEW } }));
      const error = rejects(assertion({ payload: { iat: undefined, exp: NOW_S + 301 + SKEW } }), 'lifetime_exceeded');
      assert.match(error.message, /no more than 5 minutes in the future when 'iat' is absent/);
    });

    test('iat_in_future: iat beyond now + skew', () => {
      const token = assertion({ payload: { iat: NOW_S + SKEW + 1, exp: NOW_S + 60 } });
      accepts(token, context({ now: NOW + 1000 }));
      const error = rejects(token, 'iat_in_future', context({ now: NOW }));
      assert.match(error.message, /'iat' claim is in the future: 2026-06-01T12:00:11\.000Z/);
      accepts(assertion({ payload: { iat: NOW_S + SKEW, exp: NOW_S + 60 } })); // within the skew
    });

    test('nbf_in_future: nbf beyond now + skew', () => {
      const token = assertion({ payload: { nbf: NOW_S + SKEW + 1 } });
      accepts(token, context({ now: NOW + 1000 }));
      assert.match(rejects(token, 'nbf_in_future', context({ now: NOW })).message, /'nbf' claim is in the future/);
      accepts(assertion({ payload: { nbf: NOW_S + SKEW } }));
    });

    test('aud_missing: no aud', () => {
      const error = rejects(assertion({ payload: { aud: undefined } }), 'aud_missing');
      assert.match(error.message, new RegExp(`'aud' claim is required: the issuer identifier "${ISSUER}"`));
    });

    describe('aud_invalid (strict policy, the default)', () => {
      test('a one-element array holding the issuer is accepted', () => {
        assert.equal(accepts(assertion({ payload: { aud: [ISSUER] } })).legacyAudience, false);
      });

      test('another string is refused, naming the issuer', () => {
        const error = rejects(assertion({ payload: { aud: 'https://other.example/' } }), 'aud_invalid');
        assert.equal(error.message, `'aud' must be the issuer identifier "${ISSUER}" as a single string (got "https://other.example/")`);
      });

      test('the issuer without its trailing slash is refused, with a hint', () => {
        assert.match(rejects(assertion({ payload: { aud: ISSUER.slice(0, -1) } }), 'aud_invalid').message, /the trailing slash is required/);
      });

      test('the token endpoint URL is refused', () => {
        const token = assertion({ payload: { aud: TOKEN_ENDPOINT } });
        accepts(token, context({ policy: { audiencePolicy: 'legacy' } }));
        assert.match(rejects(token, 'aud_invalid').message, /token endpoint URL is no longer accepted/);
      });

      test('a multi-element array is refused, even one containing the issuer: a single value is required', () => {
        const token = assertion({ payload: { aud: [ISSUER, TOKEN_ENDPOINT] } });
        accepts(token, context({ policy: { audiencePolicy: 'legacy' } }));
        assert.match(rejects(token, 'aud_invalid').message, /a single value is required \(got an array of 2 values\)/);
      });

      test('empty arrays, non-strings and null are refused', () => {
        for (const aud of [[], [42], 42, null, { iss: ISSUER }]) rejects(assertion({ payload: { aud } }), 'aud_invalid');
      });

      test('a long or hostile aud is echoed capped and sanitised', () => {
        const error = rejects(assertion({ payload: { aud: `https://x/\n"${'a'.repeat(500)}` } }), 'aud_invalid');
        assert.match(error.message, /\(got "https:\/\/x\/\?\?a+\.\.\."\)$/);
        assert.ok(error.message.length < 200);
      });
    });

    describe('aud under the legacy policy', () => {
      const legacy = context({ policy: { audiencePolicy: 'legacy' } });

      test('the issuer (string or one-element array) is accepted as not legacy', () => {
        assert.equal(accepts(assertion(), legacy).legacyAudience, false);
        assert.equal(accepts(assertion({ payload: { aud: [ISSUER] } }), legacy).legacyAudience, false);
      });

      test('the token endpoint URL, or an array containing the issuer or token URL, is accepted and flagged legacy', () => {
        for (const aud of [TOKEN_ENDPOINT, [TOKEN_ENDPOINT], ['https://api.example/', ISSUER], ['https://api.example/', TOKEN_ENDPOINT]]) {
          assert.equal(accepts(assertion({ payload: { aud } }), legacy).legacyAudience, true, JSON.stringify(aud));
        }
      });

      test('anything else is still refused, naming both accepted values', () => {
        const error = rejects(assertion({ payload: { aud: ['https://api.example/'] } }), 'aud_invalid', legacy);
        assert.match(error.message, new RegExp(`issuer identifier "${ISSUER}" \\(the token endpoint URL "${TOKEN_ENDPOINT}" is also accepted`));
        rejects(assertion({ payload: { aud: `${ISSUER}authorize` } }), 'aud_invalid', legacy);
      });
    });

    test('typ_invalid: an explicit typ for another kind of token', () => {
      accepts(assertion({ header: { typ: 'JWT' } }));
      for (const typ of ['at+jwt', 'dpop+jwt', 'JOSE', 'application/at+jwt', 'jwt ', '']) {
        const error = rejects(assertion({ header: { typ } }), 'typ_invalid');
        assert.match(error.message, /is not accepted for a client assertion: omit it or use "JWT" or "client-authentication\+jwt"/);
      }
    });
  });
});
