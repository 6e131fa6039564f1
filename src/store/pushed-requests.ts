import type { Db } from './sql/db.ts';

/**
 * Pushed authorization requests (RFC 9126), by the digest of their request_uri. `take` is one
 * DELETE ... RETURNING: a request_uri is used at most once, however many browsers race.
 */
export class PushedRequestStore {
  constructor(private readonly db: Db) {}

  async insert(uriHash: string, p: { tenantId: string; clientId: string; request: string; createdAt: number; expiresAt: number }): Promise<void> {
    await this.db.run(
      `INSERT INTO pushed_authorization_requests (uri_hash, tenant_id, client_id, request, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
      [uriHash, p.tenantId, p.clientId, p.request, p.createdAt, p.expiresAt],
    );
  }

  /** The pushed request, removed as it is read; undefined when unknown, expired, used, or another client's. */
  async take(tenantId: string, clientId: string, uriHash: string, now: number): Promise<string | undefined> {
    const r = await this.db.get<{ request: string }>(
      `DELETE FROM pushed_authorization_requests WHERE tenant_id = ? AND client_id = ? AND uri_hash = ? AND expires_at > ? RETURNING request`,
      [tenantId, clientId, uriHash, now],
    );
    return r?.request;
  }

  async purgeExpired(now: number): Promise<number> {
    return (await this.db.run(`DELETE FROM pushed_authorization_requests WHERE expires_at <= ?`, [now])).changes;
  }
}
