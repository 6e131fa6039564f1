import { createHash } from 'node:crypto';
import type { Clock } from '../domain/clock.ts';
import { rateStatus, tightest, windowAt, type RateRule, type RateStatus } from '../domain/rate-limit.ts';
import type { PiggybackCounts, RateIncrement, SharedRateCounter } from '../store/replay.ts';

/** What a limit is counted per: a client (the client_id it claims), a source address, a Management API token. */
export type LimitKind = 'client' | 'address' | 'token';

export interface LimitSubject {
  kind: LimitKind;
  tenantId: string;
  /** The client_id, the address key (see addressKey), or the token's id: never a secret, since it is digested before use. */
  id: string;
  rule: RateRule;
}

/** Units spent by one key in one window, as far as this process knows. */
interface Entry {
  windowEnd: number;
  spent: number;
  /** The window in which a refusal of this key was last logged (one event per key per window). */
  loggedWindowEnd: number;
}

/** A refusal: the subject over its limit and where it stands. */
export interface Refusal {
  subject: LimitSubject;
  status: RateStatus;
  /** True for the first refusal of this key in this window on this process: the one to log. */
  firstInWindow: boolean;
}

type Keyed = { subject: LimitSubject; key: string };

/**
 * Counts requests per key in fixed windows (src/domain/rate-limit.ts): a key is refused before
 * any work once it has spent its window's units. Keys are digests (a client_id or token id
 * never sits in memory or in a shared store as given), and memory is bounded: past `maxKeys`,
 * keys of ended windows go first, then the oldest.
 *
 * Alone, the counts are this process's. With a `shared` counter (Redis, SIGNET_REDIS_URL) every
 * request is also added there, after its outcome is known and without the request waiting for
 * it, and each reply (the key's total over every node) raises what this process knows: the
 * admission decision stays local, so a key seen over its limit is refused with no round trip
 * until its window ends. A success with a client assertion carries its increment in the
 * replay claim's own round trip (see PiggybackCounts). If Redis cannot be reached, counting
 * falls back to this process's own (the replay store itself fails closed).
 */
export class RateLimiter {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly clock: Clock, private readonly shared?: SharedRateCounter, private readonly maxKeys = 100_000) {}

  /** Whether counts go to a counter shared across processes (then claims may carry them). */
  get isShared(): boolean {
    return this.shared !== undefined;
  }

  /**
   * The request's admission: refused when any subject has spent its window's units (the
   * tightest one is reported), else a ticket to count the request by once its outcome is known.
   */
  admit(subjects: readonly LimitSubject[], now = this.clock()): RateTicket {
    const keyed = subjects.map((s) => ({ subject: s, key: keyOf(s) }));
    let refusal: Refusal | undefined;
    for (const { subject, key } of keyed) {
      const status = rateStatus(this.spent(key, subject.rule, now), subject.rule, now);
      if (status.exceeded && (!refusal || status.resetAt > refusal.status.resetAt)) refusal = { subject, status, firstInWindow: false };
    }
    if (refusal) {
      const e = this.entries.get(keyOf(refusal.subject))!;
      refusal.firstInWindow = e.loggedWindowEnd !== e.windowEnd;
      e.loggedWindowEnd = e.windowEnd;
    }
    return new RateTicket(this, keyed, now, refusal);
  }

  /**
   * Adds `weight` units to each key in the window of `now`: here at once, and in the shared
   * counter (`alreadyShared` of them were added there already, with these `sharedTotals`).
   */
  count(keyed: readonly Keyed[], weight: number, now: number, already?: { weight: number; totals: number[] }): void {
    keyed.forEach(({ subject, key }, i) => {
      const { end } = windowAt(now, subject.rule.windowMs);
      const e = this.entries.get(key);
      if (e && e.windowEnd === end) e.spent += weight;
      else if (e) Object.assign(e, { windowEnd: end, spent: weight });
      else this.insert(key, { windowEnd: end, spent: weight, loggedWindowEnd: 0 }, now);
      if (already) this.observe(key, end, already.totals[i]! + weight - already.weight);
    });
    const rest = weight - (already?.weight ?? 0);
    if (!this.shared || rest <= 0) return;
    this.shared.add(this.increments(keyed, rest, now)).then(
      (totals) => keyed.forEach(({ subject, key }, i) => this.observe(key, windowAt(now, subject.rule.windowMs).end, totals[i]!)),
      // Redis unreachable: this process's own counts still hold.
      () => undefined,
    );
  }

  /** The shared counter's increments for these keys (named by window, expiring at its end). */
  increments(keyed: readonly Keyed[], weight: number, now: number): RateIncrement[] {
    return keyed.map(({ subject, key }) => {
      const { index, end } = windowAt(now, subject.rule.windowMs);
      return { key: `${key}:${index}`, weight, expiresAt: end + 1000 };
    });
  }

  /** What the shared counter says a key has spent: every node's units, which may be more than ours. */
  private observe(key: string, windowEnd: number, total: number): void {
    const e = this.entries.get(key);
    if (e && e.windowEnd === windowEnd && total > e.spent) e.spent = total;
  }

  /** Where the keys stand now (the tightest), for the X-RateLimit-* headers. */
  status(keyed: readonly Keyed[], now: number): RateStatus | undefined {
    return tightest(keyed.map(({ subject, key }) => rateStatus(this.spent(key, subject.rule, now), subject.rule, now)));
  }

  private spent(key: string, rule: RateRule, now: number): number {
    const e = this.entries.get(key);
    return e && e.windowEnd === windowAt(now, rule.windowMs).end ? e.spent : 0;
  }

  private insert(key: string, entry: Entry, now: number): void {
    if (this.entries.size >= this.maxKeys) {
      for (const [k, e] of this.entries) if (e.windowEnd <= now) this.entries.delete(k);
      // Still full of live keys (a flood of distinct ones): the oldest tenth goes.
      if (this.entries.size >= this.maxKeys) {
        let drop = Math.ceil(this.maxKeys / 10);
        for (const k of this.entries.keys()) {
          if (drop-- <= 0) break;
          this.entries.delete(k);
        }
      }
    }
    this.entries.set(key, entry);
  }
}

/** One admitted (or refused) request's handle on its limits. */
export class RateTicket {
  private settled = false;
  private carried: { weight: number; totals: number[] } | undefined;

  constructor(
    private readonly limiter: RateLimiter,
    private readonly keyed: readonly Keyed[],
    private readonly now: number,
    /** Set when the request must be refused before any work. */
    readonly refusal: Refusal | undefined,
  ) {}

  /**
   * The increments of a success (weight 1) for a replay claim to carry in its round trip, when
   * counts are shared; settle then adds only what the outcome weighs beyond that.
   */
  piggyback(): PiggybackCounts | undefined {
    if (!this.limiter.isShared || this.refusal || this.settled) return undefined;
    return {
      increments: this.limiter.increments(this.keyed, 1, this.now),
      counted: (totals) => void (this.carried = { weight: 1, totals }),
    };
  }

  /** Counts the request once, by `weight` (see FAILED_AUTHENTICATION_WEIGHT); later calls do nothing. */
  settle(weight: number): void {
    if (this.settled || this.refusal) return;
    this.settled = true;
    this.limiter.count(this.keyed, weight, this.now, this.carried);
  }

  /** The tightest key's status, for the response headers (after settle, it includes this request). */
  status(): RateStatus | undefined {
    return this.refusal?.status ?? this.limiter.status(this.keyed, this.now);
  }
}

/** A fixed-size digest of a key's identity: what memory and Redis hold instead of the id itself. */
export function keyOf(s: LimitSubject): string {
  const digest = createHash('sha256').update(`${s.tenantId}\u0000${s.id}`).digest('base64url').slice(0, 22);
  return `${s.kind}:${s.rule.windowMs / 1000}:${digest}`;
}
