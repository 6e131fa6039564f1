import type { Db } from './sql/db.ts';
import type { AttemptDecision, ThrottleState } from '../domain/sign-in-throttle.ts';
import { SignInThrottleCounters } from './sign-in-throttle.ts';

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
  constructor(private readonly db: Db) {
    this.throttle = new SignInThrottleCounters(db, 'admin_sign_in_throttle');
  }

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

  private readonly throttle: SignInThrottleCounters;

  /** Counts one sign-in attempt under every key, all or none (see SignInThrottleCounters.reserve). */
  reserveAttempt(keys: readonly string[], decide: (states: ReadonlyMap<string, ThrottleState | undefined>) => AttemptDecision): Promise<AttemptDecision> {
    return this.throttle.reserve(undefined, keys, decide);
  }

  /** Rewrites counters after a successful sign-in: `next` gives each key's new counter, or undefined to drop it. */
  settleAttempt(keys: readonly string[], next: (key: string, state: ThrottleState) => ThrottleState | undefined): Promise<void> {
    return this.throttle.settle(undefined, keys, next);
  }

  /** Drops counters idle since `before` whose backoff has passed (their policies have reset them). */
  purgeThrottle(before: number, now: number): Promise<void> {
    return this.throttle.purge(before, now);
  }
}
