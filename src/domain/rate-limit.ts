/**
 * Request rate limits as pure functions: fixed windows aligned to the epoch.
 *
 * A key (a client, an address, a Management API token) may spend `limit` units per window of
 * `windowMs`; a request is admitted while the units already spent in the current window are
 * below the limit, and is counted after its outcome is known, by its weight (a failed client
 * authentication weighs FAILED_AUTHENTICATION_WEIGHT, anything else 1).
 *
 * Why fixed windows rather than a token bucket or GCRA: every node computes the same window
 * bounds from the clock alone, so a shared count is one INCRBY on a key named by the window
 * (no read-modify-write script), X-RateLimit-Reset is the same instant on every node, and a key
 * over its limit stays over until a time every node knows: a node that has seen a key go over
 * refuses it locally until then, with no round trip and no work. The cost is the boundary burst
 * (up to twice the limit across the end of one window and the start of the next), acceptable
 * for limits whose job is to stop abuse, not to meter.
 */

export interface RateRule {
  /** Units a key may spend per window. */
  limit: number;
  windowMs: number;
}

/** A failed client authentication (wrong secret, bad signature, unknown client) costs this many requests' worth. */
export const FAILED_AUTHENTICATION_WEIGHT = 10;

/** The window `now` falls in: its number since the epoch and its end (epoch ms). */
export function windowAt(now: number, windowMs: number): { index: number; end: number } {
  const index = Math.floor(now / windowMs);
  return { index, end: (index + 1) * windowMs };
}

/** Where a key stands in its window, as the X-RateLimit-* and Retry-After headers report it. */
export interface RateStatus {
  limit: number;
  /** Units left in this window (0 when exceeded). */
  remaining: number;
  /** When the window ends (epoch ms). */
  resetAt: number;
  /** True when the next request must be refused. */
  exceeded: boolean;
}

/** The status of a key that has spent `spent` units of the window `now` is in. */
export function rateStatus(spent: number, rule: RateRule, now: number): RateStatus {
  const { end } = windowAt(now, rule.windowMs);
  return { limit: rule.limit, remaining: Math.max(0, rule.limit - spent), resetAt: end, exceeded: spent >= rule.limit };
}

/**
 * The status to report when several keys apply to one request: an exceeded one (the latest to
 * reset, since the request waits for all), else the one with the fewest units left.
 */
export function tightest(statuses: readonly RateStatus[]): RateStatus | undefined {
  let best: RateStatus | undefined;
  for (const s of statuses) {
    if (!best) best = s;
    else if (s.exceeded !== best.exceeded) best = s.exceeded ? s : best;
    else if (s.exceeded) best = s.resetAt > best.resetAt ? s : best;
    else if (s.remaining < best.remaining || (s.remaining === best.remaining && s.limit < best.limit)) best = s;
  }
  return best;
}

/** Whole seconds until `resetAt`, at least 1 (Retry-After; a 0 would invite an immediate retry). */
export function retryAfterSeconds(resetAt: number, now: number): number {
  return Math.max(1, Math.ceil((resetAt - now) / 1000));
}

/** The X-RateLimit-* headers (Reset in epoch seconds, as Auth0 sends it). */
export function rateLimitHeaders(s: RateStatus): Record<string, string> {
  return {
    'x-ratelimit-limit': String(s.limit),
    'x-ratelimit-remaining': String(s.remaining),
    'x-ratelimit-reset': String(Math.ceil(s.resetAt / 1000)),
  };
}
