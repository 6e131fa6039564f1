/**
 * checkAssertionTimes: the time claims of an assertion whose signature is already verified.
 *
 * Contract: returns `exp` (epoch seconds) when, with `skew = policy.clockSkewSeconds` and
 * `now` in epoch milliseconds:
 * - `exp` is present (`exp_missing`) and `exp > now - skew` (`assertion_expired`);
 * - `exp - iat <= maxLifetimeSeconds` when `iat` is present, otherwise
 *   `exp - now <= maxLifetimeSeconds + skew` (the client's clock may run ahead) (`lifetime_exceeded`);
 * - `iat <= now + skew` (`iat_in_future`) and `nbf <= now + skew` (`nbf_in_future`) when present.
 * Otherwise throws `ClientAuthError` with that code. The three parts are exported on their own
 * for the dashboard's assertion checker, which reports each. Types were checked by `decodeClientAssertion`;
 * a non-number here is treated as absent for `iat`/`nbf` and as missing for `exp`.
 */
import type { AssertionPolicy } from './policy.ts';
import { duration, fail, isoTime } from './failure.ts';

export function checkAssertionTimes(payload: Record<string, unknown>, now: number, policy: AssertionPolicy, clientId: string): number {
  const exp = checkAssertionExpiry(payload, now, policy, clientId);
  checkAssertionLifetime(payload, now, policy, clientId);
  checkAssertionNotBefore(payload, now, policy, clientId);
  return exp;
}

/** `exp` present (`exp_missing`) and not past beyond the skew (`assertion_expired`); returns it. */
export function checkAssertionExpiry(payload: Record<string, unknown>, now: number, policy: AssertionPolicy, clientId: string): number {
  const { exp } = payload;
  const skew = policy.clockSkewSeconds;
  if (typeof exp !== 'number') {
    fail('exp_missing', `'exp' claim is required: the assertion's expiry, at most ${duration(policy.maxLifetimeSeconds)} after 'iat'`, clientId);
  }
  if (exp <= now / 1000 - skew) {
    fail(
      'assertion_expired',
      `'exp' claim is in the past: the assertion expired at ${isoTime(exp * 1000)} (server time ${isoTime(now)}, ${skew} s clock skew allowed)`,
      clientId,
    );
  }
  return exp;
}

/** `exp - iat` (or `exp - now` without `iat`) within the tenant's maximum (`lifetime_exceeded`); needs a numeric `exp`. */
export function checkAssertionLifetime(payload: Record<string, unknown>, now: number, policy: AssertionPolicy, clientId: string): void {
  const { exp, iat } = payload;
  const max = policy.maxLifetimeSeconds;
  if (typeof exp !== 'number') return;
  if (typeof iat === 'number') {
    if (exp - iat > max) {
      fail('lifetime_exceeded', `'exp' claim must specify a time that is no more than ${duration(max)} after 'iat' (got ${exp - iat} seconds)`, clientId);
    }
  } else if (exp - now / 1000 > max + policy.clockSkewSeconds) {
    fail(
      'lifetime_exceeded',
      `'exp' claim must specify a time that is no more than ${duration(max)} in the future when 'iat' is absent (it is ${Math.round(exp - now / 1000)} seconds away)`,
      clientId,
    );
  }
}

/** `iat` (`iat_in_future`) and `nbf` (`nbf_in_future`), when present, not ahead of the server beyond the skew. */
export function checkAssertionNotBefore(payload: Record<string, unknown>, now: number, policy: AssertionPolicy, clientId: string): void {
  const { iat, nbf } = payload;
  const skew = policy.clockSkewSeconds;
  const nowSeconds = now / 1000;
  if (typeof iat === 'number' && iat > nowSeconds + skew) {
    fail('iat_in_future', `'iat' claim is in the future: ${isoTime(iat * 1000)} (server time ${isoTime(now)}, ${skew} s clock skew allowed)`, clientId);
  }
  if (typeof nbf === 'number' && nbf > nowSeconds + skew) {
    fail(
      'nbf_in_future',
      `'nbf' claim is in the future: the assertion is not valid before ${isoTime(nbf * 1000)} (server time ${isoTime(now)}, ${skew} s clock skew allowed)`,
      clientId,
    );
  }
}
