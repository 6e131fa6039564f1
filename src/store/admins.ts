import type { Db } from './sql/db.ts';
import type { AttemptDecision, ThrottleState } from '../domain/sign-in-throttle.ts';

export interface Admin {
  id: string;
  email: string;
  passwordHash: string;
  createdAt: number;
}

export interface AdminSession {
  admin: Admin;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
}

interface AdminRow {
  id: string;
  email: string;
  password_hash: string;
  created_at: number;
}

const toAdmin = (r: AdminRow): Admin => ({ id: r.id, email: r.email, passwordHash: r.password_hash, createdAt: Number(r.created_at) });

/** Platform admins (dashboard users), their sessions (by token digest) and sign-in attempt counters. */
export class AdminStore {
  constructor(private readonly db: Db) {}

  /** Returns false when the email is taken. */
  async insert(a: Admin): Promise<boolean> {
    const r = await this.db.run(
      `INSERT INTO admins (id, email, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (email) DO NOTHING`,
      [a.id, a.email, a.passwordHash, a.createdAt, a.createdAt],
    );
    return r.changes > 0;
  }

  async byEmail(email: string): Promise<Admin | undefined> {
    const r = await this.db.get<AdminRow>(`SELECT id, email, password_hash, created_at FROM admins WHERE email = ?`, [email]);
    return r && toAdmin(r);
  }

  async list(): Promise<Admin[]> {
    return (await this.db.all<AdminRow>(`SELECT id, email, password_hash, created_at FROM admins ORDER BY email`)).map(toAdmin);
  }

  /** New password; every session of the admin ends with it. */
  async setPassword(id: string, passwordHash: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.run(`UPDATE admins SET password_hash = ?, updated_at = ? WHERE id = ?`, [passwordHash, Date.now(), id]);
      await tx.run(`DELETE FROM admin_sessions WHERE admin_id = ?`, [id]);
    });
  }

  async delete(id: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await tx.run(`DELETE FROM admin_sessions WHERE admin_id = ?`, [id]);
      return (await tx.run(`DELETE FROM admins WHERE id = ?`, [id])).changes > 0;
    });
  }

  async createSession(idHash: string, adminId: string, now: number, expiresAt: number): Promise<void> {
    await this.db.run(`INSERT INTO admin_sessions (id_hash, admin_id, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?)`, [
      idHash, adminId, now, now, expiresAt,
    ]);
  }

  async session(idHash: string): Promise<AdminSession | undefined> {
    const r = await this.db.get<AdminRow & { s_created_at: number; last_seen_at: number; expires_at: number }>(
      `SELECT a.id, a.email, a.password_hash, a.created_at, s.created_at AS s_created_at, s.last_seen_at, s.expires_at
         FROM admin_sessions s JOIN admins a ON a.id = s.admin_id WHERE s.id_hash = ?`,
      [idHash],
    );
    return r && { admin: toAdmin(r), createdAt: Number(r.s_created_at), lastSeenAt: Number(r.last_seen_at), expiresAt: Number(r.expires_at) };
  }

  async touchSession(idHash: string, now: number): Promise<void> {
    await this.db.run(`UPDATE admin_sessions SET last_seen_at = ? WHERE id_hash = ?`, [now, idHash]);
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.db.run(`DELETE FROM admin_sessions WHERE id_hash = ?`, [idHash]);
  }

  async purgeSessions(now: number): Promise<void> {
    await this.db.run(`DELETE FROM admin_sessions WHERE expires_at <= ?`, [now]);
  }

  /**
   * Counts one sign-in attempt under every key, all or none, in one transaction: `decide` sees
   * each key's counter (locked: on PostgreSQL with FOR UPDATE, in key order so two attempts
   * never deadlock; SQLite's BEGIN IMMEDIATE already serialises writers, across processes too)
   * and either returns the counters to write, or a refusal, which writes nothing.
   */
  async reserveAttempt(keys: readonly string[], decide: (states: ReadonlyMap<string, ThrottleState | undefined>) => AttemptDecision): Promise<AttemptDecision> {
    const sorted = [...new Set(keys)].sort();
    return this.db.transaction(async (tx) => {
      const forUpdate = tx.dialect === 'postgres' ? ' FOR UPDATE' : '';
      const states = new Map<string, ThrottleState | undefined>();
      for (const key of sorted) {
        // A row to lock even for a first attempt (two first attempts must not both count from zero).
        await tx.run(`INSERT INTO admin_sign_in_throttle (key, count, last_at, not_before) VALUES (?, 0, 0, 0) ON CONFLICT (key) DO NOTHING`, [key]);
        const r = await tx.get<{ count: number; last_at: number; not_before: number }>(
          `SELECT count, last_at, not_before FROM admin_sign_in_throttle WHERE key = ?${forUpdate}`,
          [key],
        );
        states.set(key, r && Number(r.count) > 0 ? { count: Number(r.count), lastAt: Number(r.last_at), notBefore: Number(r.not_before) } : undefined);
      }
      const decision = decide(states);
      if (!decision.ok) return decision;
      for (const [key, st] of decision.next) {
        await tx.run(`UPDATE admin_sign_in_throttle SET count = ?, last_at = ?, not_before = ? WHERE key = ?`, [st.count, st.lastAt, st.notBefore, key]);
      }
      return decision;
    });
  }

  /** Rewrites counters after a successful sign-in: `next` gives each key's new counter, or undefined to drop it. */
  async settleAttempt(keys: readonly string[], next: (key: string, state: ThrottleState) => ThrottleState | undefined): Promise<void> {
    const sorted = [...new Set(keys)].sort();
    await this.db.transaction(async (tx) => {
      const forUpdate = tx.dialect === 'postgres' ? ' FOR UPDATE' : '';
      for (const key of sorted) {
        const r = await tx.get<{ count: number; last_at: number; not_before: number }>(
          `SELECT count, last_at, not_before FROM admin_sign_in_throttle WHERE key = ?${forUpdate}`,
          [key],
        );
        if (!r) continue;
        const st = next(key, { count: Number(r.count), lastAt: Number(r.last_at), notBefore: Number(r.not_before) });
        if (st) await tx.run(`UPDATE admin_sign_in_throttle SET count = ?, last_at = ?, not_before = ? WHERE key = ?`, [st.count, st.lastAt, st.notBefore, key]);
        else await tx.run(`DELETE FROM admin_sign_in_throttle WHERE key = ?`, [key]);
      }
    });
  }

  /** Drops counters idle since `before` whose backoff has passed (their policies have reset them). */
  async purgeThrottle(before: number, now: number): Promise<void> {
    await this.db.run(`DELETE FROM admin_sign_in_throttle WHERE last_at <= ? AND not_before <= ?`, [before, now]);
  }
}
