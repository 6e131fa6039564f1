/**
 * checkAssertionTimes: the time claims of an assertion whose signature is already verified.
 *
 * Contract: returns `exp` (epoch seconds) when, with `skew = policy.clockSkewSeconds` and
 * `now` in epoch milliseconds:
 * - `exp` is present (`exp_missing`) and `exp > now - skew` (`assertion_expired`);
 * - `exp - iat <= maxLifetimeSeconds` when `iat` is present, otherwise
 *   `exp - now <= maxLifetimeSeconds + skew` (the client's clock may run ahead) (`lifetime_exceeded`);
 * - `iat <= now + skew` (`iat_in_future`) and `nbf <= now + skew` (`nbf_in_future`) when present.
 * Otherwise throws `ClientAuthError` with that code. Types were checked by `decodeClientAssertion`;
 * a non-number here is treated as absent for `iat`/`nbf` and as missing for `exp`.
 */
import type { AssertionPolicy } from './policy.ts';
import { duration, fail, isoTime } from './failure.ts';

export function checkAssertionTimes(payload: Record<string, unknown>, now: number, policy: AssertionPolicy, clientId: string): number {
  const skew = policy.clockSkewSeconds;
  const max = policy.maxLifetimeSeconds;
  const nowSeconds = now / 1000;
  const { exp, iat, nbf } = payload;

  if (typeof exp !== 'number') {
    fail('exp_missing', `'exp' claim is required: the assertion's expiry, at most ${duration(max)} after 'iat'`, clientId);
  }
  if (exp <= nowSeconds - skew) {
    fail(
      'assertion_expired',
      `'exp' claim is in the past: the assertion expired at ${isoTime(exp * 1000)} (server time ${isoTime(now)}, ${skew} s clock skew allowed)`,
      clientId,
    );
  }
  if (typeof iat === 'number') {
    if (exp - iat > max) {
      fail('lifetime_exceeded', `'exp' claim must specify a time that is no more than ${duration(max)} after 'iat' (got ${exp - iat} seconds)`, clientId);
    }
    if (iat > nowSeconds + skew) {
      fail(
        'iat_in_future',
        `'iat' claim is in the future: ${isoTime(iat * 1000)} (server time ${isoTime(now)}, ${skew} s clock skew allowed)`,
        clientId,
      );
    }
  } else if (exp - nowSeconds > max + skew) {
    fail(
      'lifetime_exceeded',
      `'exp' claim must specify a time that is no more than ${duration(max)} in the future when 'iat' is absent (it is ${Math.round(exp - nowSeconds)} seconds away)`,
      clientId,
    );
  }
  if (typeof nbf === 'number' && nbf > nowSeconds + skew) {
    fail(
      'nbf_in_future',
      `'nbf' claim is in the future: the assertion is not valid before ${isoTime(nbf * 1000)} (server time ${isoTime(now)}, ${skew} s clock skew allowed)`,
      clientId,
    );
  }
  return exp;
}
