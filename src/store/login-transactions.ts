import type { Db } from './sql/db.ts';

/** An /authorize request waiting for the user to sign in. */
export interface LoginTransaction {
  /** Public random id (the login page's `state` parameter). */
  id: string;
  tenantId: string;
  clientId: string;
  /** Digest of the browser-binding cookie set when the transaction began: only that browser may finish it. */
  browserHash: string;
  /** The validated authorization request, as JSON the /authorize module reads back. */
  request: string;
  /** The login session the user signed in with, once they did. */
  authenticatedSid: string | null;
  createdAt: number;
  expiresAt: number;
}

interface Row {
  id: string;
  tenant_id: string;
  client_id: string;
  browser_hash: string;
  request: string;
  authenticated_sid: string | null;
  created_at: number | string;
  expires_at: number | string;
}

const toTxn = (r: Row): LoginTransaction => ({
  id: r.id,
  tenantId: r.tenant_id,
  clientId: r.client_id,
  browserHash: r.browser_hash,
  request: r.request,
  authenticatedSid: r.authenticated_sid,
  createdAt: Number(r.created_at),
  expiresAt: Number(r.expires_at),
});

/** Pending authorization requests kept server-side, so the login page URL carries only an id. */
export class LoginTransactionStore {
  constructor(private readonly db: Db) {}

  async insert(t: LoginTransaction): Promise<void> {
    await this.db.run(
      `INSERT INTO login_transactions (id, tenant_id, client_id, browser_hash, request, authenticated_sid, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [t.id, t.tenantId, t.clientId, t.browserHash, t.request, t.authenticatedSid, t.createdAt, t.expiresAt],
    );
  }

  async find(tenantId: string, id: string, now: number): Promise<LoginTransaction | undefined> {
    const r = await this.db.get<Row>(`SELECT * FROM login_transactions WHERE tenant_id = ? AND id = ? AND expires_at > ?`, [tenantId, id, now]);
    return r && toTxn(r);
  }

  async markAuthenticated(tenantId: string, id: string, sid: string): Promise<void> {
    await this.db.run(`UPDATE login_transactions SET authenticated_sid = ? WHERE tenant_id = ? AND id = ?`, [sid, tenantId, id]);
  }

  /** Ends the transaction; true only for the one call that removed it (a transaction completes once). */
  async take(tenantId: string, id: string): Promise<boolean> {
    return (await this.db.run(`DELETE FROM login_transactions WHERE tenant_id = ? AND id = ?`, [tenantId, id])).changes === 1;
  }

  async purgeExpired(now: number): Promise<number> {
    return (await this.db.run(`DELETE FROM login_transactions WHERE expires_at <= ?`, [now])).changes;
  }
}
