import { InvalidInputError } from './errors.ts';
import { applyExtras, type Extras } from './object-fields/field-rules.ts';
import { TENANT_SETTING_FIELDS, checkExclusiveLifetimes } from './object-fields/tenant-setting-fields.ts';

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
  /** Days log events are kept; older ones are purged (Auth0 keeps 1 to 30 days by plan). */
  log_retention_days: number;
  /**
   * Requests to /oauth/token per rate_limit_window from one client (by the client_id it claims),
   * from every address. A failed client authentication counts as FAILED_AUTHENTICATION_WEIGHT.
   */
  token_rate_limit_per_client: number;
  /** Requests to /oauth/token per rate_limit_window from one source address (an IPv6 /64), all clients together. */
  token_rate_limit_per_address: number;
  /** Management API requests per rate_limit_window with one access token (or one dashboard admin). */
  management_rate_limit_per_token: number;
  /** The window of the rate limits above, in seconds. */
  rate_limit_window: number;
  /** Auth0's other tenant settings, as sent (see src/domain/object-fields/tenant-setting-fields.ts). */
  extras?: Extras;
}

/**
 * The largest clock_skew a tenant may set. Replay records are kept until exp plus this much,
 * not plus the skew in force when they were written: raising the skew later must not reopen
 * an assertion that was already used.
 */
export const MAX_CLOCK_SKEW_SECONDS = 120;
export const MAX_LOG_RETENTION_DAYS = 365;
export const MAX_RATE_LIMIT = 1_000_000;
export const MAX_RATE_LIMIT_WINDOW_SECONDS = 3600;

/** What each audience policy accepts, in one line (the CLI says it when the policy changes). */
export const AUDIENCE_POLICY_MEANING: Record<TenantSettings['audience_policy'], string> = {
  strict: "an assertion's aud must be the issuer identifier alone",
  legacy: 'the token endpoint URL, or an array holding it or the issuer, is also accepted as aud; each such success is logged with legacy_audience',
};

/**
 * An application "relies on" the legacy audience policy when one of its assertions was accepted
 * only because of it within this many days: switching back to strict would refuse it.
 */
export const LEGACY_AUDIENCE_WINDOW_DAYS = 30;

export const DEFAULT_TENANT_SETTINGS: TenantSettings = {
  max_assertion_lifetime: 300,
  clock_skew: 10,
  audience_policy: 'strict',
  log_retention_days: 30,
  // A client should reuse its token until it expires (24 h by default): 10 tokens a second,
  // sustained, is already far past that; 60 failed authentications a minute stop a guessing run.
  token_rate_limit_per_client: 600,
  // Several clients may share an address (one backend, a NAT): twice one client's budget.
  token_rate_limit_per_address: 1200,
  management_rate_limit_per_token: 600,
  rate_limit_window: 60,
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
  if (!Number.isInteger(next.clock_skew) || next.clock_skew < 0 || next.clock_skew > MAX_CLOCK_SKEW_SECONDS) {
    throw new InvalidInputError('invalid_setting', `clock_skew must be an integer between 0 and ${MAX_CLOCK_SKEW_SECONDS} seconds.`, 'clock_skew');
  }
  if (!Number.isInteger(next.log_retention_days) || next.log_retention_days < 1 || next.log_retention_days > MAX_LOG_RETENTION_DAYS) {
    throw new InvalidInputError('invalid_setting', `log_retention_days must be an integer between 1 and ${MAX_LOG_RETENTION_DAYS} days.`, 'log_retention_days');
  }
  for (const k of ['token_rate_limit_per_client', 'token_rate_limit_per_address', 'management_rate_limit_per_token'] as const) {
    if (!Number.isInteger(next[k]) || next[k] < 1 || next[k] > MAX_RATE_LIMIT) {
      throw new InvalidInputError('invalid_setting', `${k} must be an integer between 1 and ${MAX_RATE_LIMIT} (requests per rate_limit_window).`, k);
    }
  }
  if (!Number.isInteger(next.rate_limit_window) || next.rate_limit_window < 1 || next.rate_limit_window > MAX_RATE_LIMIT_WINDOW_SECONDS) {
    throw new InvalidInputError('invalid_setting', `rate_limit_window must be an integer between 1 and ${MAX_RATE_LIMIT_WINDOW_SECONDS} seconds.`, 'rate_limit_window');
  }
  if (next.audience_policy !== 'strict' && next.audience_policy !== 'legacy') {
    throw new InvalidInputError('invalid_setting', 'audience_policy must be "strict" or "legacy".', 'audience_policy');
  }
  return next;
}

/** A lifetime in hours and the same one in minutes describe one setting: setting either replaces the other. */
const SAME_SETTING: Record<string, string> = {
  session_lifetime: 'session_lifetime_in_minutes',
  idle_session_lifetime: 'idle_session_lifetime_in_minutes',
  ephemeral_session_lifetime: 'ephemeral_session_lifetime_in_minutes',
  idle_ephemeral_session_lifetime: 'idle_ephemeral_session_lifetime_in_minutes',
};
for (const [h, m] of Object.entries(SAME_SETTING)) SAME_SETTING[m] = h;

/**
 * A `PATCH /tenants/settings` body applied to the current settings: Signet's own settings are
 * checked by checkTenantSettings, Auth0's others field by field by TENANT_SETTING_FIELDS.
 */
export function updateTenantSettings(body: Record<string, unknown>, current: TenantSettings): TenantSettings {
  const own: Record<string, unknown> = {};
  const auth0: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) (TENANT_SETTING_FIELDS[k]?.status === 'core' ? own : auth0)[k] = v;
  checkExclusiveLifetimes(auth0);
  const { extras: currentExtras = {}, ...currentOwn } = current;
  const next = checkTenantSettings(own as Partial<TenantSettings>, currentOwn);
  const extras = applyExtras(TENANT_SETTING_FIELDS, auth0, currentExtras);
  for (const k of Object.keys(auth0)) if (SAME_SETTING[k] && auth0[k] !== null) delete extras[SAME_SETTING[k]];
  return Object.keys(extras).length ? { ...next, extras } : next;
}

/** The API a request that names none is for (Auth0's `default_audience` tenant setting), if set. */
export function defaultAudience(settings: TenantSettings): string | undefined {
  const a = settings.extras?.default_audience;
  return typeof a === 'string' && a ? a : undefined;
}
