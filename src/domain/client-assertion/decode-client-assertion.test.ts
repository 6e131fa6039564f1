/**
 * Specification of decodeClientAssertion: the untrusted, cheap checks (steps 1–2).
 *
 * Every refused assertion below is otherwise valid and correctly signed by the registered key,
 * and is run through the whole pipeline: if the check under test were removed, the assertion
 * would be accepted and the test would fail.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OAuthRequestError } from '../errors.ts';
import { CLIENT_ASSERTION_TYPE, DEFAULT_ASSERTION_POLICY, checkClientAssertionType, decodeClientAssertion } from './index.ts';
import { CLIENT_ID, NOW_S, accepts, assertion, claims, context, keys, refusal, rejects, signWith } from '../../../test/support/assertion-fixtures.ts';

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

describe('decodeClientAssertion', () => {
  test('returns the header, payload, client id, signing input and signature of a valid assertion', () => {
    const token = assertion({ header: { typ: 'JWT' } });
    const decoded = decodeClientAssertion(token, DEFAULT_ASSERTION_POLICY);
    assert.deepEqual(decoded.header, { alg: 'RS256', kid: 'kid-A', typ: 'JWT' });
    assert.equal(decoded.clientId, CLIENT_ID);
    assert.equal(decoded.payload.iss, CLIENT_ID);
    const [h, p, s] = token.split('.');
    assert.equal(decoded.signingInput.toString('latin1'), `${h}.${p}`);
    assert.deepEqual(decoded.signature, Buffer.from(s!, 'base64url'));
    accepts(token);
  });

  describe('assertion_too_large', () => {
    test('refuses an assertion longer than maxAssertionBytes, accepts one exactly that long', () => {
      const token = assertion();
      accepts(token, context({ policy: { maxAssertionBytes: token.length } }));
      const error = rejects(token, 'assertion_too_large', context({ policy: { maxAssertionBytes: token.length - 1 } }));
      assert.match(error.message, new RegExp(`is ${token.length} bytes; the maximum is ${token.length - 1} bytes`));
    });

    test('counts bytes, not characters', () => {
      const token = assertion();
      const tooLarge = `${token.slice(0, -1)}é`; // same length in characters, one byte more
      rejects(tooLarge, 'assertion_too_large', context({ policy: { maxAssertionBytes: token.length } }));
    });

    test('defaults to 2048 bytes', () => {
      assert.equal(DEFAULT_ASSERTION_POLICY.maxAssertionBytes, 2048);
      rejects(assertion({ payload: { pad: 'x'.repeat(2000) } }), 'assertion_too_large');
    });
  });

  describe('malformed_assertion', () => {
    const good = assertion();
    const [h, p, s] = good.split('.') as [string, string, string];

    test('refuses anything but three dot-separated parts', () => {
      accepts(`${h}.${p}.${s}`);
      for (const token of [`${h}.${p}`, `${h}${p}${s}`, `${h}.${p}.${s}.`, `${h}.${p}.${s}.${s}.${s}.${s}`, '']) {
        refusal(() => decodeClientAssertion(token, DEFAULT_ASSERTION_POLICY), 'malformed_assertion');
      }
      assert.match(rejects(`${h}.${p}`, 'malformed_assertion').message, /three base64url parts separated by '\.' \(found 2 parts\)/);
    });

    test('refuses a five-part JWE, saying it is encrypted', () => {
      const jwe = `${b64({ alg: 'RSA-OAEP-256', enc: 'A256GCM' })}.${s}.${b64('iv-iv-iv')}.${p}.${b64('tag')}`;
      assert.match(rejects(jwe, 'malformed_assertion').message, /encrypted JWT \(JWE\).*requires a signed JWT/);
    });

    test('refuses characters outside the base64url alphabet, naming the part', () => {
      assert.match(rejects(`${h}.${p}=.${s}`, 'malformed_assertion').message, /payload is not valid base64url: .*padding/);
      const plusSlash = `${h}.${p}.${s.replace(/-/g, '+').replace(/_/g, '/')}`;
      if (plusSlash !== good) assert.match(rejects(plusSlash, 'malformed_assertion').message, /signature .*not base64/);
      assert.match(rejects(`${h} .${p}.${s}`, 'malformed_assertion').message, /header is not valid base64url/);
      rejects(`${good}\n`, 'malformed_assertion');
    });

    test('refuses truncated or non-canonical base64url (two spellings of the same bytes)', () => {
      // A 256-byte RSA signature is 342 characters (4k+2): the last one carries 4 unused bits.
      assert.equal(s.length % 4, 2);
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const respelled = s.slice(0, -1) + alphabet[alphabet.indexOf(s.at(-1)!) + 1];
      assert.deepEqual(Buffer.from(respelled, 'base64url'), Buffer.from(s, 'base64url')); // a lenient decoder sees the same signature
      const error = rejects(`${h}.${p}.${respelled}`, 'malformed_assertion');
      assert.match(error.message, /signature is not valid base64url: truncated or non-canonical encoding/);
      rejects(`${h}.${p}.${s}AAA`, 'malformed_assertion'); // 4k+1 characters cannot encode whole bytes
    });

    test('refuses a header or payload that is not a UTF-8 JSON object', () => {
      accepts(`${b64({ alg: 'RS256', kid: 'kid-A' })}.${p}.${signWith('RS256', `${b64({ alg: 'RS256', kid: 'kid-A' })}.${p}`, keys.rsaA.privateKey)}`);
      for (const [header, why] of [
        ['not json', /header is not valid UTF-8 JSON/],
        ['["RS256"]', /header must be a JSON object \(got an array\)/],
        ['null', /header must be a JSON object \(got null\)/],
      ] as const) {
        const input = `${b64(header)}.${p}`;
        assert.match(rejects(`${input}.${signWith('RS256', input, keys.rsaA.privateKey)}`, 'malformed_assertion').message, why);
      }
      assert.match(rejects(assertion({ rawPayload: '"a string"' }), 'malformed_assertion').message, /payload must be a JSON object \(got a string\)/);
      assert.match(rejects(assertion({ rawPayload: '{"iss":' }), 'malformed_assertion').message, /payload is not valid UTF-8 JSON/);
      const invalidUtf8 = Buffer.from([0x7b, 0x22, 0x69, 0x73, 0x73, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]).toString('base64url');
      const input = `${h}.${invalidUtf8}`;
      assert.match(rejects(`${input}.${signWith('RS256', input, keys.rsaA.privateKey)}`, 'malformed_assertion').message, /not valid UTF-8/);
    });

    test('refuses an empty signature', () => {
      assert.match(rejects(`${h}.${p}.`, 'malformed_assertion').message, /signature part is empty/);
    });

    test('refuses a crit header (no JWS extension is understood)', () => {
      rejects(assertion({ header: { crit: ['exp'], exp: 1 } }), 'malformed_assertion');
      rejects(assertion({ header: { crit: ['b64'], b64: false } }), 'malformed_assertion');
    });

    test('refuses a kid that is not a string', () => {
      assert.match(rejects(assertion({ header: { kid: 42 } }), 'malformed_assertion').message, /'kid' header parameter must be a string/);
    });

    test('refuses exp, iat or nbf that are not NumericDates', () => {
      accepts(assertion({ payload: { exp: NOW_S + 60.5 } })); // fractional NumericDates are fine
      for (const claim of ['exp', 'iat', 'nbf']) {
        const error = rejects(assertion({ payload: { [claim]: String(claims()[claim] ?? 1) } }), 'malformed_assertion');
        assert.match(error.message, new RegExp(`'${claim}' claim must be a NumericDate.*\\(got a string\\)`));
        assert.equal(error.clientId, CLIENT_ID);
        rejects(assertion({ payload: { [claim]: null } }), 'malformed_assertion');
      }
      rejects(assertion({ rawPayload: JSON.stringify(claims()).replace(/"exp":\d+/, '"exp":1e400') }), 'malformed_assertion');
    });
  });

  describe('alg', () => {
    test('alg_missing: the header has no alg', () => {
      const error = rejects(assertion({ header: { alg: undefined }, signAlg: 'RS256' }), 'alg_missing');
      assert.match(error.message, /'alg' header parameter is required/);
      rejects(assertion({ header: { alg: 256 }, signAlg: 'RS256' }), 'alg_missing');
      rejects(assertion({ header: { alg: '' }, signAlg: 'RS256' }), 'alg_missing');
    });

    test('alg_none: an unsigned JWT is refused, whatever the case of "none"', () => {
      for (const alg of ['none', 'None', 'NONE']) {
        const error = rejects(assertion({ header: { alg }, signAlg: 'none' }), 'alg_none');
        assert.match(error.message, /unsigned JWT.*must be signed with the application's private key/);
      }
      rejects(assertion({ header: { alg: 'none' } }), 'alg_none'); // even with a signature appended
    });

    test('alg_symmetric: HS256/384/512 are refused with an explanation', () => {
      for (const alg of ['HS256', 'HS384', 'HS512', 'hs256']) {
        const error = rejects(assertion({ header: { alg }, signAlg: alg.toUpperCase(), key: 'shared secret' }), 'alg_symmetric');
        assert.match(error.message, /symmetric \(HMAC\).*asymmetric signature made with the private key matching a public key uploaded/);
      }
    });

    test('alg_too_long: more than 16 characters', () => {
      assert.match(rejects(assertion({ header: { alg: 'RS256'.padEnd(17, 'X') }, signAlg: 'RS256' }), 'alg_too_long').message, /at most 16 characters \(got 17\)/);
      rejects(assertion({ header: { alg: 'RS256'.padEnd(16, 'X') }, signAlg: 'RS256' }), 'alg_unsupported'); // 16 passes the length check
    });

    test('alg_unsupported: an alg that is not an asymmetric JWS alg we verify', () => {
      for (const alg of ['ES512', 'ES256K', 'RSA-OAEP', 'constructor', '__proto__']) {
        const error = rejects(assertion({ header: { alg }, signAlg: 'RS256' }), 'alg_unsupported');
        assert.match(error.message, /not supported for private_key_jwt; use one of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, EdDSA/);
      }
    });
  });

  describe('iss, sub, jti', () => {
    const id64 = 'c'.repeat(64);
    const id65 = 'c'.repeat(65);

    test('iss_missing: no iss (or not a non-empty string)', () => {
      assert.match(rejects(assertion({ payload: { iss: undefined } }), 'iss_missing').message, /'iss' claim is required: the client_id/);
      rejects(assertion({ payload: { iss: '' } }), 'iss_missing');
      assert.match(rejects(assertion({ payload: { iss: 7 } }), 'iss_missing').message, /\(got a number\)/);
    });

    test('sub_missing: no sub (or not a non-empty string)', () => {
      assert.match(rejects(assertion({ payload: { sub: undefined } }), 'sub_missing').message, /'sub' claim is required: the client_id/);
      rejects(assertion({ payload: { sub: [CLIENT_ID] } }), 'sub_missing');
    });

    test('iss_sub_mismatch: iss and sub must be the same client_id', () => {
      const error = rejects(assertion({ payload: { sub: 'someone-else' } }), 'iss_sub_mismatch');
      assert.match(error.message, new RegExp(`'iss' "${CLIENT_ID}" and 'sub' "someone-else"`));
    });

    test('iss_too_long / sub_too_long: more than 64 characters', () => {
      accepts(assertion({ payload: { iss: id64, sub: id64 } }));
      assert.match(rejects(assertion({ payload: { iss: id65, sub: id65 } }), 'iss_too_long').message, /at most 64 characters \(got 65\)/);
      rejects(assertion({ payload: { sub: id65 } }), 'sub_too_long');
    });

    test('jti_missing: no jti, or not a non-empty string', () => {
      const error = rejects(assertion({ payload: { jti: undefined } }), 'jti_missing');
      assert.match(error.message, /'jti' claim is required/);
      assert.equal(error.clientId, CLIENT_ID);
      assert.match(rejects(assertion({ payload: { jti: '' } }), 'jti_missing').message, /non-empty string \(got an empty string\)/);
      assert.match(rejects(assertion({ payload: { jti: 12345 } }), 'jti_missing').message, /non-empty string \(got a number\)/);
    });

    test('jti_too_long: more than 64 characters', () => {
      assert.equal(accepts(assertion({ payload: { jti: id64 } })).jti, id64);
      assert.match(rejects(assertion({ payload: { jti: id65 } }), 'jti_too_long').message, /at most 64 characters \(got 65\)/);
    });
  });

  test('typ_invalid: a typ that is not a string is refused before any key is consulted', () => {
    refusal(() => decodeClientAssertion(assertion({ header: { typ: ['JWT'] } }), DEFAULT_ASSERTION_POLICY), 'typ_invalid');
  });

  test('echoes untrusted values only sanitised: printable ASCII, no quote or backslash', () => {
    const sub = `"\\\n${'x'.repeat(61)}`; // 64 characters: quote, backslash, newline, 61 x
    const error = rejects(assertion({ payload: { sub } }), 'iss_sub_mismatch');
    assert.match(error.message, /'sub' "\?\?\?x{61}"\)$/);
  });
});

describe('checkClientAssertionType', () => {
  test('accepts exactly the jwt-bearer URN', () => {
    assert.equal(CLIENT_ASSERTION_TYPE, 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    checkClientAssertionType(CLIENT_ASSERTION_TYPE);
  });

  test('refuses a missing or different type as invalid_request (400), naming the expected value', () => {
    for (const value of [undefined, '', 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer', `${CLIENT_ASSERTION_TYPE} `]) {
      assert.throws(
        () => checkClientAssertionType(value),
        (error: unknown) =>
          error instanceof OAuthRequestError && error.error === 'invalid_request' && error.status === 400 && error.message.includes(CLIENT_ASSERTION_TYPE),
      );
    }
  });
});
