import { Redis } from 'ioredis';
import type { ClaimResult, PiggybackCounts, RateIncrement, ReplayStore, SharedRateCounter, SqlReplayStore } from './replay.ts';
import { rethrowUnavailable } from './unavailable.ts';
import { ServiceUnavailableError } from '../domain/errors.ts';

/** How long a Redis command may take before the request is answered 503 instead of waiting. */
const COMMAND_TIMEOUT_MS = 1000;

/**
 * The jti store for deployments of several nodes that run Redis. Each claim is recorded twice:
 * `SET NX PXAT` in Redis (atomic across every node, expiring by itself), then, for the one copy
 * Redis let through, the database's own claim (the durable record, which also reads the
 * client's change stamp). A token is issued only when both say the jti is new, so:
 * - Redis restarted without persistence, or flushed: the database still refuses every
 *   unexpired assertion it has seen; no replay window opens.
 * - Redis unreachable: the claim fails, the request is answered 503 and nothing is issued
 *   (fail closed), and service resumes when Redis is back (ioredis reconnects by itself).
 * A replay costs one Redis round trip and a stamp read, never a database write.
 */
export class RedisReplayStore implements ReplayStore, SharedRateCounter {
  readonly redis: Redis;

  constructor(url: string, private readonly durable: SqlReplayStore) {
    this.redis = new Redis(url, {
      // Commands sent before the first connection wait for it (start-up), bounded by the timeout.
      enableOfflineQueue: true,
      commandTimeout: COMMAND_TIMEOUT_MS,
      maxRetriesPerRequest: 1,
      // Reconnect quickly at first, then twice a second: recovery is noticed within half a second.
      retryStrategy: (times) => Math.min(times * 50, 500),
    });
    // Connection errors are reported by failed commands (503) and /readyz; an unhandled
    // 'error' event would otherwise print a warning per reconnect attempt.
    this.redis.on('error', () => undefined);
    // EVALSHA with a fallback to EVAL when the script is not cached (after a Redis restart, say).
    this.redis.defineCommand('signetClaim', { lua: CLAIM_SCRIPT });
    this.redis.once('ready', () => (this.connectedOnce = true));
  }

  private connectedOnce = false;

  async claim(key: string, until: number, now: number, clientId: string, counts?: PiggybackCounts): Promise<ClaimResult> {
    this.failFastWhenDown();
    // An `until` already past would make Redis refuse PXAT; such an assertion is expired anyway.
    const expiry = Math.max(until, now + 1000);
    const set = await this.setWithCounts(`signet:jti:${key}`, expiry, counts).catch((err) => rethrowUnavailable('replay store', err));
    // Only the copy Redis let through asks the database, so of racing copies exactly one can be
    // claimed (asked both at once, one copy could win Redis and another the database, and
    // neither be served). A replay is refused by Redis without a database write.
    if (set !== 'OK') return { claimed: false, stamp: await this.durable.stamp(clientId) };
    return this.durable.claim(key, until, now, clientId);
  }

  /**
   * SET NX, with the rate-limit increments riding along: one script call (CLAIM_SCRIPT), so one
   * command to encode, send and parse per token instead of five (SET, then INCRBY and PEXPIREAT
   * per counter), and Redis runs them as one atomic step.
   */
  private async setWithCounts(jtiKey: string, expiry: number, counts: PiggybackCounts | undefined): Promise<string | null> {
    if (!counts?.increments.length) return this.redis.set(jtiKey, '1', 'PXAT', expiry, 'NX');
    const keys = [jtiKey, ...counts.increments.map((inc) => `signet:rl:${inc.key}`)];
    const args = [expiry, ...counts.increments.flatMap((inc) => [inc.weight, inc.expiresAt])];
    const reply = (await (this.redis as Redis & ClaimCommand).signetClaim(keys.length, ...keys, ...args)) as unknown;
    if (!Array.isArray(reply) || reply.length !== keys.length || reply.some((v) => typeof v !== 'number')) throw new Error('Redis returned an unexpected claim reply');
    counts.counted(reply.slice(1) as number[]);
    return reply[0] === 1 ? 'OK' : null;
  }

  /** Rate-limit counters (src/services/rate-limiter.ts) on the same connection: INCRBY, expiring at the window's end. */
  async add(increments: readonly RateIncrement[]): Promise<number[]> {
    this.failFastWhenDown();
    const pipeline = this.redis.pipeline();
    addIncrements(pipeline, increments);
    const totals = incrementTotals((await pipeline.exec()) ?? [], increments.length);
    if (!totals) throw new Error('Redis did not count the rate-limit increments');
    return totals;
  }

  async isUsed(key: string, now: number): Promise<boolean> {
    this.failFastWhenDown();
    const inRedis = await this.redis.exists(`signet:jti:${key}`).catch((err) => rethrowUnavailable('replay store', err));
    return inRedis === 1 || (await this.durable.isUsed(key, now));
  }

  /** Redis expires its records itself; the database's are purged like the embedded store's. */
  purgeExpired(now: number): Promise<number> {
    return this.durable.purgeExpired(now);
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  connected(): boolean {
    return this.redis.status === 'ready';
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  /**
   * Once the connection has been lost, a command would sit in ioredis's queue until the next
   * reconnect attempt fails: answer at once instead, so an outage costs callers nothing but a
   * 503. (Before the first connection, at start-up, commands wait for it, bounded by the timeout.)
   */
  private failFastWhenDown(): void {
    if (this.redis.status !== 'ready' && this.connectedOnce) throw new ServiceUnavailableError('replay store', 'not connected');
  }
}

/**
 * KEYS[1]: the jti's key; KEYS[2..]: rate-limit counters. ARGV[1]: the jti's expiry (ms since the
 * epoch); then, per counter, its increment and its expiry. Replies 1 when the jti was new (0 when
 * it was already recorded), then each counter's total after the increment.
 */
export const CLAIM_SCRIPT = `
local out = { redis.call('SET', KEYS[1], '1', 'PXAT', ARGV[1], 'NX') and 1 or 0 }
for i = 2, #KEYS do
  out[i] = redis.call('INCRBY', KEYS[i], ARGV[2 * i - 2])
  redis.call('PEXPIREAT', KEYS[i], ARGV[2 * i - 1])
end
return out`;

interface ClaimCommand {
  signetClaim(numKeys: number, ...keysAndArgs: (string | number)[]): Promise<unknown>;
}

type Pipeline = ReturnType<Redis['pipeline']>;

function addIncrements(pipeline: Pipeline, increments: readonly RateIncrement[]): void {
  for (const inc of increments) {
    const key = `signet:rl:${inc.key}`;
    pipeline.incrby(key, inc.weight).pexpireat(key, inc.expiresAt);
  }
}

/** Each INCRBY's reply (every other one; PEXPIREAT's in between), or undefined if any failed. */
function incrementTotals(replies: [Error | null, unknown][], n: number): number[] | undefined {
  const totals: number[] = [];
  for (let i = 0; i < n; i++) {
    const [err, total] = replies[2 * i] ?? [new Error('missing reply')];
    if (err || typeof total !== 'number') return undefined;
    totals.push(total);
  }
  return totals;
}
