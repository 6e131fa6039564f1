import type { Db, Queryable } from './sql/db.ts';

/**
 * A refresh token as stored: only the SHA-256 of the token itself. Tokens of one family descend
 * from one authorization code; rotation marks a token used (`rotatedAt`) and inserts its child.
 */
export interface RefreshTokenRecord {
  tokenHash: string;
  tenantId: string;
  familyId: string;
  clientId: string;
  userId: string;
  scope: string;
  audience: string | null;
  sid: string | null;
  authTime: number;
  createdAt: number;
  /** Absolute expiry of the family (inherited by each child). */
  expiresAt: number;
  /** This token's idle expiry. */
  idleExpiresAt: number;
  parentHash: string | null;
  rotatedAt: number | null;
  revokedAt: number | null;
}

interface Row {
  token_hash: string;
  tenant_id: string;
  family_id: string;
  client_id: string;
  user_id: string;
  scope: string;
  audience: string | null;
  sid: string | null;
  auth_time: number | string;
  created_at: number | string;
  expires_at: number | string;
  idle_expires_at: number | string;
  parent_hash: string | null;
  rotated_at: number | string | null;
  revoked_at: number | string | null;
}

const nullableNumber = (v: number | string | null) => (v === null ? null : Number(v));

const fromRow = (r: Row): RefreshTokenRecord => ({
  tokenHash: r.token_hash,
  tenantId: r.tenant_id,
  familyId: r.family_id,
  clientId: r.client_id,
  userId: r.user_id,
  scope: r.scope,
  audience: r.audience,
  sid: r.sid,
  authTime: Number(r.auth_time),
  createdAt: Number(r.created_at),
  expiresAt: Number(r.expires_at),
  idleExpiresAt: Number(r.idle_expires_at),
  parentHash: r.parent_hash,
  rotatedAt: nullableNumber(r.rotated_at),
  revokedAt: nullableNumber(r.revoked_at),
});

export class RefreshTokenStore {
  constructor(private readonly db: Db) {}

  async insert(t: Omit<RefreshTokenRecord, 'rotatedAt' | 'revokedAt'>, q: Queryable = this.db): Promise<void> {
    await q.run(
      `INSERT INTO refresh_tokens (token_hash, tenant_id, family_id, client_id, user_id, scope, audience, sid, auth_time, created_at, expires_at, idle_expires_at, parent_hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [t.tokenHash, t.tenantId, t.familyId, t.clientId, t.userId, t.scope, t.audience, t.sid, t.authTime, t.createdAt, t.expiresAt, t.idleExpiresAt, t.parentHash],
    );
  }

  async find(tenantId: string, tokenHash: string, q: Queryable = this.db): Promise<RefreshTokenRecord | null> {
    const r = await q.get<Row>(`SELECT * FROM refresh_tokens WHERE tenant_id = ? AND token_hash = ?`, [tenantId, tokenHash]);
    return r ? fromRow(r) : null;
  }

  /** Marks the token used, atomically: true only for the one request that rotated it. */
  async markRotated(tenantId: string, tokenHash: string, now: number, q: Queryable = this.db): Promise<boolean> {
    const { changes } = await q.run(
      `UPDATE refresh_tokens SET rotated_at = ? WHERE tenant_id = ? AND token_hash = ? AND rotated_at IS NULL AND revoked_at IS NULL`,
      [now, tenantId, tokenHash],
    );
    return changes === 1;
  }

  /** Revokes every token of the family (reuse detected, code replayed, or revocation requested). */
  async revokeFamily(tenantId: string, familyId: string, now: number, q: Queryable = this.db): Promise<number> {
    const { changes } = await q.run(`UPDATE refresh_tokens SET revoked_at = ? WHERE tenant_id = ? AND family_id = ? AND revoked_at IS NULL`, [
      now,
      tenantId,
      familyId,
    ]);
    return changes;
  }

  /** Revokes the tokens issued by rotating `parentHash` (its exchange within the leeway replaces them). */
  async revokeChildren(tenantId: string, parentHash: string, now: number, q: Queryable = this.db): Promise<void> {
    await q.run(`UPDATE refresh_tokens SET revoked_at = ? WHERE tenant_id = ? AND parent_hash = ? AND revoked_at IS NULL`, [now, tenantId, parentHash]);
  }

  /** Rows past both expiries, and revoked or rotated ones past their family's expiry, are deleted. */
  async purgeExpired(now: number): Promise<number> {
    const { changes } = await this.db.run(`DELETE FROM refresh_tokens WHERE expires_at < ? OR idle_expires_at < ?`, [now, now]);
    return changes;
  }
}
