/**
 * Client assertion policy: the knobs of RFC 7523 §3 validation that vary per tenant.
 *
 * Contract: plain values, no behaviour. `DEFAULT_ASSERTION_POLICY` carries Auth0's published
 * numbers (2048-byte assertions, 5-minute lifetime, 10 s skew) and the strict audience rule of
 * RFC 7523bis (aud = the issuer identifier, alone).
 */

/** The only accepted `client_assertion_type` (RFC 7523 §2.2). */
export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export interface AssertionPolicy {
  /** Largest accepted `client_assertion`, in bytes (Auth0: 2048). */
  maxAssertionBytes: number;
  /** `exp - iat` (or `exp - now` when `iat` is absent, skew allowed) must be <= this (Auth0: 300). */
  maxLifetimeSeconds: number;
  /** Tolerance for `iat`/`nbf` in the future and `exp` just past (Auth0: 10). */
  clockSkewSeconds: number;
  /**
   * `strict`: `aud` must be the issuer identifier, as a string or a one-element array.
   * `legacy`: also the token endpoint URL, and arrays containing the issuer or the token endpoint
   * URL; the verifier reports such acceptance (`legacyAudience`) so the caller can log it.
   */
  audiencePolicy: 'strict' | 'legacy';
}

export const DEFAULT_ASSERTION_POLICY: AssertionPolicy = Object.freeze({
  maxAssertionBytes: 2048,
  maxLifetimeSeconds: 300,
  clockSkewSeconds: 10,
  audiencePolicy: 'strict',
});
