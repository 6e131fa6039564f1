import type { Db } from './sql/db.ts';

/** A user's sign-in on one tenant, shared by the tenant's applications (single sign-on). */
export interface LoginSession {
  tenantId: string;
  /** Public random id: the ID token's `sid`, and the `logout_hint` of RP-initiated logout. */
  sid: string;
  userId: string;
  /** Epoch ms when the user last entered a password in this session. */
  authTime: number;
  createdAt: number;
  lastSeenAt: number;
  /** The session ends at the earlier of these: idle timeout (moved by use) and absolute lifetime. */
  idleExpiresAt: number;
  expiresAt: number;
  /** Applications that got a code in this session. */
  clientIds: string[];
}

interface Row {
  tenant_id: string;
  sid: string;
  user_id: string;
  auth_time: number | string;
  created_at: number | string;
  last_seen_at: number | string;
  idle_expires_at: number | string;
  expires_at: number | string;
  client_ids: string;
}

const toSession = (r: Row): LoginSession => ({
  tenantId: r.tenant_id,
  sid: r.sid,
  userId: r.user_id,
  authTime: Number(r.auth_time),
  createdAt: Number(r.created_at),
  lastSeenAt: Number(r.last_seen_at),
  idleExpiresAt: Number(r.idle_expires_at),
  expiresAt: Number(r.expires_at),
  clientIds: JSON.parse(r.client_ids),
});

/** Login sessions, by the digest of the cookie token; every query names the tenant. */
export class LoginSessionStore {
  constructor(private readonly db: Db) {}

  async insert(idHash: string, s: LoginSession): Promise<void> {
    await this.db.run(
      `INSERT INTO login_sessions (id_hash, tenant_id, sid, user_id, auth_time, created_at, last_seen_at, idle_expires_at, expires_at, client_ids)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [idHash, s.tenantId, s.sid, s.userId, s.authTime, s.createdAt, s.lastSeenAt, s.idleExpiresAt, s.expiresAt, JSON.stringify(s.clientIds)],
    );
  }

  /** The live session behind a cookie on this tenant (a cookie of another tenant finds nothing). */
  async find(tenantId: string, idHash: string, now: number): Promise<LoginSession | undefined> {
    const r = await this.db.get<Row>(
      `SELECT * FROM login_sessions WHERE tenant_id = ? AND id_hash = ? AND expires_at > ? AND idle_expires_at > ?`,
      [tenantId, idHash, now, now],
    );
    return r && toSession(r);
  }

  /** Use of the session: moves its idle expiry (never past the absolute one) and remembers the application. */
  async touch(tenantId: string, idHash: string, now: number, idleExpiresAt: number, clientIds: string[]): Promise<void> {
    await this.db.run(
      `UPDATE login_sessions SET last_seen_at = ?, idle_expires_at = ?, client_ids = ? WHERE tenant_id = ? AND id_hash = ?`,
      [now, idleExpiresAt, JSON.stringify(clientIds), tenantId, idHash],
    );
  }

  async delete(tenantId: string, idHash: string): Promise<boolean> {
    return (await this.db.run(`DELETE FROM login_sessions WHERE tenant_id = ? AND id_hash = ?`, [tenantId, idHash])).changes > 0;
  }

  async deleteBySid(tenantId: string, sid: string): Promise<boolean> {
    return (await this.db.run(`DELETE FROM login_sessions WHERE tenant_id = ? AND sid = ?`, [tenantId, sid])).changes > 0;
  }

  async purgeExpired(now: number): Promise<number> {
    return (await this.db.run(`DELETE FROM login_sessions WHERE expires_at <= ? OR idle_expires_at <= ?`, [now, now])).changes;
  }
}
