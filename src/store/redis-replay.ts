import { Redis } from 'ioredis';
import type { ClaimResult } from './replay.ts';
import type { ClientStore } from './clients.ts';

/**
 * The jti store in Redis, for deployments of several nodes that already run Redis: `SET NX
 * PXAT` is atomic across every node and expires the record by itself. The client's change
 * stamp still comes from the database (the source of truth); both are asked at once, so the
 * request waits for one round trip, not two.
 */
export class RedisReplayStore {
  private readonly redis: Redis;

  constructor(url: string, private readonly clients: ClientStore) {
    this.redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true });
  }

  async claim(key: string, until: number, now: number, clientId: string): Promise<ClaimResult> {
    // An `until` already past would make Redis refuse PXAT; such an assertion is expired anyway.
    const expiry = Math.max(until, now + 1000);
    const [set, stamp] = await Promise.all([this.redis.set(`signet:jti:${key}`, '1', 'PXAT', expiry, 'NX'), this.clients.stamp(clientId)]);
    return { claimed: set === 'OK', stamp };
  }

  async isUsed(key: string): Promise<boolean> {
    return (await this.redis.exists(`signet:jti:${key}`)) === 1;
  }

  /** Redis expires records itself. */
  async purgeExpired(): Promise<number> {
    return 0;
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }
}
