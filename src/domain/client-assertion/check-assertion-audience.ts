/**
 * checkAssertionAudience: the `aud` claim of an assertion whose signature is already verified.
 *
 * Contract (RFC 7523bis; Auth0's 2025 audience deprecation):
 * - `strict`: `aud` must be the issuer identifier, as a string or a one-element array.
 * - `legacy`: additionally the token endpoint URL as a string, or an array containing the
 *   issuer or the token endpoint URL.
 * Returns `true` exactly when the value was accepted only because of the legacy policy (the
 * caller logs it), `false` for a strict-conformant value. Otherwise throws `ClientAuthError`
 * `aud_missing` (absent) or `aud_invalid` (anything else), naming the expected issuer.
 */
import { describeType, fail, show } from './failure.ts';

export function checkAssertionAudience(
  aud: unknown,
  issuer: string,
  tokenEndpoint: string,
  policy: 'strict' | 'legacy',
  clientId: string,
): boolean {
  if (typeof aud === 'string') {
    if (aud === issuer) return false;
    if (policy === 'legacy' && aud === tokenEndpoint) return true;
  } else if (Array.isArray(aud)) {
    if (aud.length === 1 && aud[0] === issuer) return false;
    if (policy === 'legacy' && (aud.includes(issuer) || aud.includes(tokenEndpoint))) return true;
  } else if (aud === undefined) {
    fail('aud_missing', `'aud' claim is required: the issuer identifier ${show(issuer)}`, clientId);
  }
  fail('aud_invalid', audienceProblem(aud, issuer, tokenEndpoint, policy), clientId);
}

function audienceProblem(aud: unknown, issuer: string, tokenEndpoint: string, policy: 'strict' | 'legacy'): string {
  const expected =
    policy === 'strict'
      ? `'aud' must be the issuer identifier ${show(issuer)} as a single string`
      : `'aud' must be the issuer identifier ${show(issuer)} (the token endpoint URL ${show(tokenEndpoint)} is also accepted for now, but deprecated)`;
  if (typeof aud === 'string') {
    if (aud === tokenEndpoint) return `${expected}; the token endpoint URL is no longer accepted as the audience`;
    if (aud + '/' === issuer) return `${expected} (got ${show(aud)}: the trailing slash is required)`;
    return `${expected} (got ${show(aud)})`;
  }
  if (Array.isArray(aud)) {
    if (aud.length > 1 && policy === 'strict') return `${expected}: a single value is required (got an array of ${aud.length} values)`;
    if (aud.length === 0) return `${expected} (got an empty array)`;
    const first = aud[0];
    return `${expected} (got ${typeof first === 'string' ? `[${show(first)}${aud.length > 1 ? ', ...' : ''}]` : 'an array'})`;
  }
  return `${expected} (got ${describeType(aud)})`;
}
