/**
 * A client's refresh token behaviour, from Auth0's `refresh_token` client object
 * (rotation_type, leeway, token_lifetime, idle_token_lifetime and their `infinite_*` switches).
 * Unset, Signet rotates (stricter than Auth0's non-rotating default for old applications: a
 * stolen refresh token is detected the first time both parties use it) with no leeway, and
 * Auth0's lifetimes: 30 days absolute, 15 days idle.
 */
export interface RefreshTokenPolicy {
  rotating: boolean;
  /** Seconds during which the token just rotated may be exchanged again (a retried request). */
  leewaySeconds: number;
  /** Absolute lifetime of the family from its first token, or null (no limit). */
  lifetimeSeconds: number | null;
  /** Lifetime of each token from its issue while unused, or null (no limit). */
  idleSeconds: number | null;
}

export const DEFAULT_REFRESH_LIFETIME_S = 2_592_000;
export const DEFAULT_REFRESH_IDLE_S = 1_296_000;

export function refreshTokenPolicy(extras: Record<string, unknown>): RefreshTokenPolicy {
  const rt = (typeof extras.refresh_token === 'object' && extras.refresh_token !== null ? extras.refresh_token : {}) as Record<string, unknown>;
  const num = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : d);
  const nonExpiring = rt.expiration_type === 'non-expiring';
  return {
    rotating: rt.rotation_type !== 'non-rotating',
    leewaySeconds: num(rt.leeway, 0),
    lifetimeSeconds: nonExpiring || rt.infinite_token_lifetime === true ? null : num(rt.token_lifetime, DEFAULT_REFRESH_LIFETIME_S),
    idleSeconds: nonExpiring || rt.infinite_idle_token_lifetime === true ? null : num(rt.idle_token_lifetime, DEFAULT_REFRESH_IDLE_S),
  };
}

/** Far-future stand-in for "no limit", so every row has comparable expiry columns. */
export const NEVER = 8_640_000_000_000_000;
