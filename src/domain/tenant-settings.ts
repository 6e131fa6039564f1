import { InvalidInputError } from './errors.ts';

/** Per-tenant knobs of client authentication and token issuance. */
export interface TenantSettings {
  /** Longest accepted client assertion lifetime, exp − iat, in seconds (Auth0: 300). */
  max_assertion_lifetime: number;
  /** Clock skew tolerated on iat/nbf/exp, in seconds (Auth0: 10). */
  clock_skew: number;
  /**
   * `strict`: an assertion's `aud` must be the issuer identifier (RFC 7523bis).
   * `legacy`: also the token endpoint URL or an array containing either; each such use is logged.
   */
  audience_policy: 'strict' | 'legacy';
}

export const DEFAULT_TENANT_SETTINGS: TenantSettings = {
  max_assertion_lifetime: 300,
  clock_skew: 10,
  audience_policy: 'strict',
};

export function parseTenantSettings(json: string | null | undefined): TenantSettings {
  const raw = json ? (JSON.parse(json) as Partial<TenantSettings>) : {};
  return { ...DEFAULT_TENANT_SETTINGS, ...raw };
}

export function checkTenantSettings(patch: Partial<TenantSettings>, current: TenantSettings): TenantSettings {
  const next = { ...current, ...patch };
  if (!Number.isInteger(next.max_assertion_lifetime) || next.max_assertion_lifetime < 10 || next.max_assertion_lifetime > 3600) {
    throw new InvalidInputError('invalid_setting', 'max_assertion_lifetime must be an integer between 10 and 3600 seconds.', 'max_assertion_lifetime');
  }
  if (!Number.isInteger(next.clock_skew) || next.clock_skew < 0 || next.clock_skew > 120) {
    throw new InvalidInputError('invalid_setting', 'clock_skew must be an integer between 0 and 120 seconds.', 'clock_skew');
  }
  if (next.audience_policy !== 'strict' && next.audience_policy !== 'legacy') {
    throw new InvalidInputError('invalid_setting', 'audience_policy must be "strict" or "legacy".', 'audience_policy');
  }
  return next;
}
