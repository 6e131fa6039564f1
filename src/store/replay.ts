import type { Db, Param } from './sql/db.ts';

/** Claims written in one transaction or statement at most (a burst is split into batches of this size). */
const MAX_BATCH = 256;

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

  /**
   * Claims that arrive in the same event-loop turn are written together (group commit): one
   * transaction for all of them instead of one each. On SQLite each commit takes the write lock
   * every worker shares; on PostgreSQL each commit waits for its WAL flush, so a batch is one
   * statement and one flush. Each claim is still decided atomically, by its own row, before any
   * reply; a batch that fails fails every claim in it.
   */
  async claim(key: string, until: number, now: number, clientId: string): Promise<ClaimResult> {
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
    const commit = this.db.dialect === 'postgres' ? (b: PendingClaim[]) => this.commitStatement(b) : (b: PendingClaim[]) => this.commitTransaction(b);
    for (let i = 0; i < batch.length; i += MAX_BATCH) {
      const part = batch.slice(i, i + MAX_BATCH);
      try {
        const results = await commit(part);
        part.forEach((c, j) => c.resolve(results[j]!));
      } catch (err) {
        for (const c of part) c.reject(err);
      }
    }
  }

  /** SQLite: one transaction, a statement per claim (statements are calls into the library, not round trips). */
  private commitTransaction(batch: PendingClaim[]): Promise<ClaimResult[]> {
    return this.db.transaction(async (tx) => {
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
  }

  /**
   * PostgreSQL: the whole batch in one statement (one round trip, one commit), which inserts
   * every distinct key and reads every client's stamp. A key repeated within the batch is
   * decided once, by its first claim; the copies are refused (the first one either recorded it
   * or found it recorded). A leftover row is taken over when it expired before the batch's
   * earliest request time.
   */
  private async commitStatement(batch: PendingClaim[]): Promise<ClaimResult[]> {
    const firsts = new Map<string, PendingClaim>();
    for (const c of batch) if (!firsts.has(c.key)) firsts.set(c.key, c);
    const clients = [...new Set(batch.map((c) => c.clientId))];
    const rows = [...firsts.values()];
    const params: Param[] = rows.flatMap((c) => [c.key, c.until]);
    params.push(Math.min(...rows.map((c) => c.now)), ...clients);
    const result = await this.db.all<{ kind: string; id: string; stamp: string | null }>(
      `WITH ins AS (
         INSERT INTO used_jtis (key, expires_at) VALUES ${rows.map(() => '(?, ?)').join(', ')}
         ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE used_jtis.expires_at < ?
         RETURNING key
       )
       SELECT 'claimed' AS kind, key AS id, NULL AS stamp FROM ins
       UNION ALL
       SELECT 'stamp' AS kind, c.client_id AS id, c.version || ':' || t.version AS stamp
         FROM clients c JOIN tenants t ON t.id = c.tenant_id WHERE c.client_id IN (${clients.map(() => '?').join(', ')})`,
      params,
    );
    const claimed = new Set<string>();
    const stamps = new Map<string, string | null>();
    for (const r of result) {
      if (r.kind === 'claimed') claimed.add(r.id);
      else stamps.set(r.id, r.stamp);
    }
    return batch.map((c) => ({ claimed: firsts.get(c.key) === c && claimed.has(c.key), stamp: stamps.get(c.clientId) ?? null }));
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
