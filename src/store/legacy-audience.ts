import type { Db } from './sql/db.ts';

export interface LegacyAudienceUse {
  clientId: string;
  name: string;
  lastUsedAt: number;
}

/**
 * When each application last got a token with an assertion that only the legacy audience
 * policy accepted (`aud` = the token endpoint URL, or an array). One row per application,
 * deleted with it.
 */
export class LegacyAudienceStore {
  constructor(private readonly db: Db) {}

  async markUsed(clientId: string, at: number): Promise<void> {
    // Several processes write: keep the latest time whatever order the writes land in.
    await this.db.run(
      `INSERT INTO client_legacy_audience (client_id, last_used_at) VALUES (?, ?)
       ON CONFLICT (client_id) DO UPDATE SET last_used_at = excluded.last_used_at WHERE client_legacy_audience.last_used_at < excluded.last_used_at`,
      [clientId, at],
    );
  }

  /** The tenant's applications that relied on it at or after `since`, latest first (at most `limit`). */
  async since(tenantId: string, since: number, limit = 100): Promise<LegacyAudienceUse[]> {
    const rows = await this.db.all<{ client_id: string; name: string; last_used_at: number }>(
      `SELECT c.client_id, c.name, u.last_used_at FROM client_legacy_audience u JOIN clients c ON c.client_id = u.client_id
       WHERE c.tenant_id = ? AND u.last_used_at >= ? ORDER BY u.last_used_at DESC, c.client_id LIMIT ?`,
      [tenantId, since, limit],
    );
    return rows.map((r) => ({ clientId: r.client_id, name: r.name, lastUsedAt: Number(r.last_used_at) }));
  }
}
