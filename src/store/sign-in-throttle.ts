import type { Db } from './sql/db.ts';
import type { AttemptDecision, ThrottleState } from '../domain/sign-in-throttle.ts';

/**
 * Sign-in attempt counters (src/domain/sign-in-throttle.ts) in one table: platform admins'
 * (`admin_sign_in_throttle`, keyed by key alone) and tenant users' (`user_sign_in_throttle`,
 * keyed by tenant and key, so tenants never share a counter). `scope` is the tenant id for the
 * latter and undefined for the former.
 */
export class SignInThrottleCounters {
  private readonly scopeCond: string;

  constructor(
    private readonly db: Db,
    private readonly table: 'admin_sign_in_throttle' | 'user_sign_in_throttle',
  ) {
    this.scopeCond = table === 'user_sign_in_throttle' ? 'tenant_id = ? AND ' : '';
  }

  private scoped(scope: string | undefined, ...params: (string | number)[]): (string | number)[] {
    return this.scopeCond ? [scope!, ...params] : params;
  }

  /**
   * Counts one sign-in attempt under every key, all or none, in one transaction: `decide` sees
   * each key's counter (locked: on PostgreSQL with FOR UPDATE, in key order so two attempts
   * never deadlock; SQLite's BEGIN IMMEDIATE already serialises writers, across processes too)
   * and either returns the counters to write, or a refusal, which writes nothing.
   */
  async reserve(
    scope: string | undefined,
    keys: readonly string[],
    decide: (states: ReadonlyMap<string, ThrottleState | undefined>) => AttemptDecision,
  ): Promise<AttemptDecision> {
    const sorted = [...new Set(keys)].sort();
    const t = this.table;
    return this.db.transaction(async (tx) => {
      const forUpdate = tx.dialect === 'postgres' ? ' FOR UPDATE' : '';
      const states = new Map<string, ThrottleState | undefined>();
      for (const key of sorted) {
        // A row to lock even for a first attempt (two first attempts must not both count from zero).
        if (this.scopeCond) {
          await tx.run(`INSERT INTO ${t} (tenant_id, key, count, last_at, not_before) VALUES (?, ?, 0, 0, 0) ON CONFLICT (tenant_id, key) DO NOTHING`, [scope!, key]);
        } else {
          await tx.run(`INSERT INTO ${t} (key, count, last_at, not_before) VALUES (?, 0, 0, 0) ON CONFLICT (key) DO NOTHING`, [key]);
        }
        const r = await tx.get<{ count: number; last_at: number; not_before: number }>(
          `SELECT count, last_at, not_before FROM ${t} WHERE ${this.scopeCond}key = ?${forUpdate}`,
          this.scoped(scope, key),
        );
        states.set(key, r && Number(r.count) > 0 ? { count: Number(r.count), lastAt: Number(r.last_at), notBefore: Number(r.not_before) } : undefined);
      }
      const decision = decide(states);
      if (!decision.ok) return decision;
      for (const [key, st] of decision.next) {
        await tx.run(`UPDATE ${t} SET count = ?, last_at = ?, not_before = ? WHERE ${this.scopeCond}key = ?`, [st.count, st.lastAt, st.notBefore, ...this.scoped(scope, key)]);
      }
      return decision;
    });
  }

  /** Rewrites counters after a successful sign-in: `next` gives each key's new counter, or undefined to drop it. */
  async settle(scope: string | undefined, keys: readonly string[], next: (key: string, state: ThrottleState) => ThrottleState | undefined): Promise<void> {
    const sorted = [...new Set(keys)].sort();
    const t = this.table;
    await this.db.transaction(async (tx) => {
      const forUpdate = tx.dialect === 'postgres' ? ' FOR UPDATE' : '';
      for (const key of sorted) {
        const r = await tx.get<{ count: number; last_at: number; not_before: number }>(
          `SELECT count, last_at, not_before FROM ${t} WHERE ${this.scopeCond}key = ?${forUpdate}`,
          this.scoped(scope, key),
        );
        if (!r) continue;
        const st = next(key, { count: Number(r.count), lastAt: Number(r.last_at), notBefore: Number(r.not_before) });
        if (st) await tx.run(`UPDATE ${t} SET count = ?, last_at = ?, not_before = ? WHERE ${this.scopeCond}key = ?`, [st.count, st.lastAt, st.notBefore, ...this.scoped(scope, key)]);
        else await tx.run(`DELETE FROM ${t} WHERE ${this.scopeCond}key = ?`, this.scoped(scope, key));
      }
    });
  }

  /** Drops counters (of every scope) idle since `before` whose backoff has passed: their policies have reset them. */
  async purge(before: number, now: number): Promise<void> {
    await this.db.run(`DELETE FROM ${this.table} WHERE last_at <= ? AND not_before <= ?`, [before, now]);
  }
}
