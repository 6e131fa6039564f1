import type { Db } from './sql/db.ts';

interface PendingClaim {
  key: string;
  until: number;
  now: number;
  clientId: string;
  resolve(r: ClaimResult): void;
  reject(e: unknown): void;
}

/** Rate-limit units to add to a shared counter (src/services/rate-limiter.ts); `expiresAt` is its window's end. */
export interface RateIncrement {
  key: string;
  weight: number;
  expiresAt: number;
}

/** Counters shared by every process and node (Redis): each key's total after the increments. */
export interface SharedRateCounter {
  add(increments: readonly RateIncrement[]): Promise<number[]>;
}

/**
 * Increments a claim may carry in its own round trip, when the replay store and the rate
 * counters share a server (Redis): a request costs one round trip for both. `counted` is
 * called with the totals once they were added; a store that cannot carry them never calls it.
 */
export interface PiggybackCounts {
  readonly increments: readonly RateIncrement[];
  counted(totals: number[]): void;
}

/** Single use of client assertions; implemented over the database (default) and Redis. */
export interface ReplayStore {
  claim(key: string, until: number, now: number, clientId: string, counts?: PiggybackCounts): Promise<ClaimResult>;
  isUsed(key: string, now: number): Promise<boolean>;
  purgeExpired(now: number): Promise<number>;
  /** The cheapest round trip that proves the store answers (readiness checks). */
  ping(): Promise<void>;
  /** For a store reached over its own connection (Redis): whether that connection is up now. */
  connected?(): boolean;
  close?(): Promise<void>;
}

export interface ClaimResult {
  /** true when this call recorded the key; false when it was already recorded and unexpired. */
  claimed: boolean;
  /** `{client version}:{tenant version}` read in the same step, or null if the client is gone. */
  stamp: string | null;
}

const STAMP_SQL = `SELECT c.version || ':' || t.version AS stamp FROM clients c JOIN tenants t ON t.id = c.tenant_id WHERE c.client_id = ?`;

/**
 * Single use of client assertions (the jti store), shared by every worker and node because it
 * lives in the database. `claim` is one atomic statement: of two racing requests with the same
 * key exactly one sees `claimed: true`. An expired leftover row is taken over rather than
 * refused, so purging is only housekeeping, never a correctness concern.
 *
 * The same step reads the client's change stamp, so the token endpoint learns whether its
 * cached view of the client is current without an extra round trip.
 */
export class SqlReplayStore implements ReplayStore {
  private pending: PendingClaim[] = [];
  private scheduled = false;

  constructor(private readonly db: Db) {}

  async claim(key: string, until: number, now: number, clientId: string): Promise<ClaimResult> {
    if (this.db.dialect === 'postgres') {
      const r = await this.db.get<{ claimed: number; stamp: string | null }>(
        `WITH ins AS (
           INSERT INTO used_jtis (key, expires_at) VALUES (?, ?)
           ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE used_jtis.expires_at < ?
           RETURNING 1
         )
         SELECT (SELECT COUNT(*) FROM ins) AS claimed,
                (SELECT c.version || ':' || t.version FROM clients c JOIN tenants t ON t.id = c.tenant_id WHERE c.client_id = ?) AS stamp`,
        [key, until, now, clientId],
      );
      return { claimed: Number(r?.claimed) === 1, stamp: r?.stamp ?? null };
    }
    // SQLite: each commit takes the database's write lock, which every worker shares. Claims
    // that arrive in the same event-loop turn are committed together (group commit); each is
    // still decided atomically by its own INSERT, inside one transaction, before any reply.
    return new Promise<ClaimResult>((resolve, reject) => {
      this.pending.push({ key, until, now, clientId, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.commitPending());
      }
    });
  }

  private async commitPending(): Promise<void> {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    try {
      const results = await this.db.transaction(async (tx) => {
        const stamps = new Map<string, string | null>();
        const out: ClaimResult[] = [];
        for (const c of batch) {
          const ins = await tx.run(
            `INSERT INTO used_jtis (key, expires_at) VALUES (?, ?)
             ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE used_jtis.expires_at < ?`,
            [c.key, c.until, c.now],
          );
          if (!stamps.has(c.clientId)) {
            const r = await tx.get<{ stamp: string }>(STAMP_SQL, [c.clientId]);
            stamps.set(c.clientId, r?.stamp ?? null);
          }
          out.push({ claimed: ins.changes === 1, stamp: stamps.get(c.clientId)! });
        }
        return out;
      });
      batch.forEach((c, i) => c.resolve(results[i]!));
    } catch (err) {
      for (const c of batch) c.reject(err);
    }
  }

  /** The client's change stamp alone (what a claim reads with it), for a claim decided elsewhere. */
  async stamp(clientId: string): Promise<string | null> {
    const r = await this.db.get<{ stamp: string }>(STAMP_SQL, [clientId]);
    return r?.stamp ?? null;
  }

  async isUsed(key: string, now: number): Promise<boolean> {
    const r = await this.db.get(`SELECT 1 AS x FROM used_jtis WHERE key = ? AND expires_at >= ?`, [key, now]);
    return !!r;
  }

  async purgeExpired(now: number): Promise<number> {
    return (await this.db.run(`DELETE FROM used_jtis WHERE expires_at < ?`, [now])).changes;
  }

  /** The table lives in the database: reachable when the database is. */
  ping(): Promise<void> {
    return this.db.ping();
  }
}
