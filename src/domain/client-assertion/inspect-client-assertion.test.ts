/**
 * Specification of inspectClientAssertion (the dashboard's checker): every check reported on
 * its own, several failures at once, the same verdict as the token endpoint, never a throw.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inspectClientAssertion, type AssertionCheckStatus, type InspectAssertionContext } from './index.ts';
import { ClientAuthError } from '../errors.ts';
import { CLIENT_ID, NOW, NOW_S, assertion, authenticate, context, credential, keys } from '../../../test/support/assertion-fixtures.ts';

const ctx = (over: Partial<InspectAssertionContext> = {}): InspectAssertionContext => ({ ...context(), clientId: CLIENT_ID, applicationProblem: null, ...over });
const statuses = (token: string, c = ctx()) => Object.fromEntries(inspectClientAssertion(token, c).checks.map((k) => [k.id, k.status])) as Record<string, AssertionCheckStatus>;

describe('inspectClientAssertion', () => {
  test('a valid assertion passes every check, and the token endpoint accepts it too', () => {
    const token = assertion();
    const result = inspectClientAssertion(token, ctx());
    assert.equal(result.ok, true);
    assert.deepEqual(
      result.checks.map((c) => c.id),
      ['application', 'format', 'alg', 'kid', 'iss_sub', 'signature', 'aud', 'exp', 'lifetime', 'iat_nbf', 'jti', 'typ'],
    );
    assert.ok(result.checks.every((c) => c.status === 'pass' && c.message.length > 0));
    authenticate(token);
  });

  test('reports several failing claims at once, each with the token endpoint message', () => {
    const token = assertion({ payload: { aud: 'https://elsewhere.example/', exp: NOW_S - 3600, iat: NOW_S - 4000, jti: undefined } });
    const s = statuses(token);
    assert.equal(s.signature, 'pass');
    assert.equal(s.aud, 'fail');
    assert.equal(s.exp, 'fail');
    assert.equal(s.lifetime, 'fail');
    assert.equal(s.jti, 'fail');
    assert.equal(s.iss_sub, 'pass');
    const aud = inspectClientAssertion(token, ctx()).checks.find((c) => c.id === 'aud')!;
    assert.match(aud.message, /^'aud'/);
    assert.match(aud.message, /https:\/\/acme\.signet\.test\//);
  });

  test('a signature made with another key fails the signature check only', () => {
    const s = statuses(assertion({ key: keys.rsaB.privateKey }));
    assert.equal(s.signature, 'fail');
    assert.equal(s.kid, 'pass');
    assert.equal(s.exp, 'pass');
  });

  test('an unknown kid fails kid and skips the signature; alg mismatch fails alg', () => {
    let s = statuses(assertion({ header: { kid: 'nope' } }));
    assert.equal(s.kid, 'fail');
    assert.equal(s.signature, 'skipped');
    s = statuses(assertion({ header: { alg: 'PS256' } }));
    assert.equal(s.alg, 'fail');
    assert.equal(s.kid, 'pass');
    assert.equal(s.signature, 'skipped');
    s = statuses(assertion({ header: { alg: 'HS256' }, signAlg: 'RS256' }));
    assert.equal(s.alg, 'fail');
    assert.equal(s.kid, 'skipped');
  });

  test("an assertion naming another application fails iss/sub", () => {
    const token = assertion({ payload: { iss: 'other', sub: 'other' } });
    const check = inspectClientAssertion(token, ctx()).checks.find((c) => c.id === 'iss_sub')!;
    assert.equal(check.status, 'fail');
    assert.match(check.message, /not this application/);
  });

  test('garbage is a format failure with everything else skipped, never a throw', () => {
    for (const input of ['', 'abc', 'a.b.c', 'x'.repeat(5000), '\u0000.\u0001.\u0002']) {
      const result = inspectClientAssertion(input, ctx());
      assert.equal(result.ok, false);
      assert.equal(result.checks.find((c) => c.id === 'format')!.status, 'fail');
      assert.ok(result.checks.filter((c) => !['application', 'format'].includes(c.id)).every((c) => c.status === 'skipped'));
    }
  });

  test('an application that cannot use Private Key JWT fails the first check and still reports the rest', () => {
    const result = inspectClientAssertion(assertion(), ctx({ applicationProblem: 'Private Key JWT is not enabled for this application.' }));
    assert.equal(result.ok, false);
    assert.equal(result.checks[0]!.status, 'fail');
    assert.equal(result.checks.find((c) => c.id === 'signature')!.status, 'pass');
  });

  describe('reads the string exactly as the token endpoint does', () => {
    /** The token endpoint's verdict: null when it accepts, else its error. */
    const endpoint = (token: string): ClientAuthError | null => {
      try {
        authenticate(token);
        return null;
      } catch (err) {
        if (err instanceof ClientAuthError) return err;
        throw err;
      }
    };
    const token = assertion();
    const odd: Record<string, string> = {
      'as issued (control)': token,
      'a space before, a newline after': ` ${token}\n`,
      'a trailing newline': `${token}\n`,
      'a trailing CRLF': `${token}\r\n`,
      'a leading tab': `\t${token}`,
      'a byte-order mark': `\uFEFF${token}`,
      'a space inside': token.replace('.', ' .'),
      'base64 padding': `${token}=`,
      'a fourth part': `${token}.`,
      'quotes around it': `"${token}"`,
      'a Bearer prefix': `Bearer ${token}`,
      'too long once padded': `${' '.repeat(context().policy.maxAssertionBytes)}${token}`,
    };
    for (const [name, input] of Object.entries(odd)) {
      test(`${name}: the same verdict, for the same reason`, () => {
        const refused = endpoint(input);
        const result = inspectClientAssertion(input, ctx());
        assert.equal(result.ok, refused === null, JSON.stringify(result.checks.filter((c) => c.status === 'fail')));
        if (refused) {
          const format = result.checks.find((c) => c.id === 'format')!;
          assert.equal(format.status, 'fail');
          assert.equal(format.message.slice(1), `${refused.message.slice(1)}.`, 'the endpoint\'s own message');
        }
      });
    }
  });

  test("names what the token endpoint keeps from unauthenticated callers: the registered algs, each expired kid and when", () => {
    const ps256 = inspectClientAssertion(assertion({ header: { alg: 'PS256' } }), ctx()).checks.find((c) => c.id === 'alg')!;
    assert.equal(ps256.status, 'fail');
    assert.match(ps256.message, /registered with: RS256\.$/);
    const expired = inspectClientAssertion(assertion(), ctx({ credentials: [credential({ expiresAt: NOW - 1000 })] })).checks.find((c) => c.id === 'kid')!;
    assert.equal(expired.status, 'fail');
    assert.match(expired.message, /"kid-A" expired at 2026-06-01T11:59:59\.000Z/);
  });
});
