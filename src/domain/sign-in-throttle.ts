/**
 * Dashboard sign-in throttling rules, as pure functions over one counter per key. An attempt
 * is *reserved* (counted) before its password is checked, so a burst of concurrent guesses
 * cannot all slip under a limit; a successful sign-in gives the reservation back.
 *
 * Two shapes of limit:
 * - a hard limit (`limit` attempts, then none until `idleResetMs` pass with no attempt): per
 *   account and address, and per address. Only that address is refused, so an attacker can
 *   only lock themselves out.
 * - exponential backoff, per account from every address: the first `free` attempts go
 *   through, then each further one must wait twice as long as the one before, up to `capMs`.
 *   Many hosts guessing one password slow to a trickle, yet the real admin is never refused
 *   for longer than `capMs` (a hard per-account lock would let anyone lock them out).
 */

export interface ThrottleState {
  /** Attempts counted since the counter last reset. */
  count: number;
  /** When the last attempt was counted (epoch ms). */
  lastAt: number;
  /** No attempt is allowed before this time (epoch ms); backoff only. */
  notBefore: number;
}

export type ThrottlePolicy = (
  | { kind: 'limit'; limit: number; idleResetMs: number }
  | { kind: 'backoff'; free: number; baseMs: number; capMs: number; idleResetMs: number }
) & {
  /** What a successful sign-in does to the counter: start it over, or only give its own attempt back. */
  onSuccess: 'reset' | 'refund';
};

export type ThrottleDecision = { ok: true; next: ThrottleState } | { ok: false; retryAfterMs: number };

export const SIGN_IN_POLICIES = {
  /** One address guessing one account's password. */
  accountAddress: { kind: 'limit', limit: 5, idleResetMs: 15 * 60_000, onSuccess: 'reset' },
  /** One address spraying many accounts (a success does not excuse the other accounts' failures). */
  address: { kind: 'limit', limit: 20, idleResetMs: 15 * 60_000, onSuccess: 'refund' },
  /** Many addresses guessing one account: 10 free, then 1 s, 2 s, 4 s … at most 5 minutes apart. */
  account: { kind: 'backoff', free: 10, baseMs: 1000, capMs: 5 * 60_000, idleResetMs: 60 * 60_000, onSuccess: 'reset' },
} as const satisfies Record<string, ThrottlePolicy>;

/** The wait imposed after the `n`th counted attempt of a backoff policy. */
export function backoffDelayMs(n: number, policy: { free: number; baseMs: number; capMs: number }): number {
  if (n < policy.free) return 0;
  const doublings = Math.min(n - policy.free, 30);
  return Math.min(policy.baseMs * 2 ** doublings, policy.capMs);
}

/** Whether one more attempt may be counted now, and the counter after it is. */
export function decideAttempt(state: ThrottleState | undefined, now: number, policy: ThrottlePolicy): ThrottleDecision {
  // Time resets: a counter idle for long enough starts again from zero.
  const s = state && now - state.lastAt < policy.idleResetMs ? state : { count: 0, lastAt: 0, notBefore: 0 };
  if (policy.kind === 'limit') {
    if (s.count >= policy.limit) return { ok: false, retryAfterMs: s.lastAt + policy.idleResetMs - now };
    return { ok: true, next: { count: s.count + 1, lastAt: now, notBefore: 0 } };
  }
  if (now < s.notBefore) return { ok: false, retryAfterMs: s.notBefore - now };
  const count = s.count + 1;
  return { ok: true, next: { count, lastAt: now, notBefore: now + backoffDelayMs(count, policy) } };
}

/** The counter after a counted attempt turned out to be the right password (undefined: no counter). */
export function afterSuccess(state: ThrottleState, policy: ThrottlePolicy): ThrottleState | undefined {
  if (policy.onSuccess === 'reset' || state.count <= 1) return undefined;
  return { ...state, count: state.count - 1 };
}

/** What one attempt's counters allow: the counters to write, or how long until it may be tried. */
export type AttemptDecision = { ok: true; next: ReadonlyMap<string, ThrottleState> } | { ok: false; retryAfterMs: number };

/** The counters a sign-in attempt is counted under, each with its policy. `address` is an addressKey. */
export function signInThrottleKeys(email: string, address: string): ReadonlyMap<string, ThrottlePolicy> {
  return new Map<string, ThrottlePolicy>([
    [`aa:${email}|${address}`, SIGN_IN_POLICIES.accountAddress],
    [`ad:${address}`, SIGN_IN_POLICIES.address],
    [`ac:${email}`, SIGN_IN_POLICIES.account],
  ]);
}

/** An attempt is allowed only if every counter allows it; refused, it waits for the slowest. */
export function decideAttempts(policies: ReadonlyMap<string, ThrottlePolicy>, states: ReadonlyMap<string, ThrottleState | undefined>, now: number): AttemptDecision {
  const next = new Map<string, ThrottleState>();
  let wait = 0;
  for (const [key, policy] of policies) {
    const d = decideAttempt(states.get(key), now, policy);
    if (d.ok) next.set(key, d.next);
    else wait = Math.max(wait, d.retryAfterMs, 1);
  }
  return wait > 0 ? { ok: false, retryAfterMs: wait } : { ok: true, next };
}
