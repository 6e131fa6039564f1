import type { Db } from './sql/db.ts';

/** What a code stands for, written by /authorize and read once by the token endpoint. */
export interface AuthorizationCode {
  tenantId: string;
  clientId: string;
  userId: string;
  /** The redirect_uri of the authorization request: the token request must send the same string. */
  redirectUri: string;
  /** Space-separated, what the user was granted (openid profile email offline_access ...). */
  scope: string;
  /** API identifier for the access token; null: the token is for /userinfo only. */
  audience: string | null;
  nonce: string | null;
  /** The S256 challenge (no other method is accepted at /authorize). */
  codeChallenge: string | null;
  /** The login session's public id (the ID token's `sid`). */
  sid: string;
  /** Epoch ms when the user authenticated (the ID token's `auth_time`). */
  authTime: number;
  /** Epoch ms; at most 60 s after issue. */
  expiresAt: number;
}

export interface StoredAuthorizationCode extends AuthorizationCode {
  usedAt: number | null;
  /** The token family issued from this code, which a replay must revoke. */
  issuedFamily: string | null;
}

/**
 * How long a code's row outlives its expiry. A code presented again within this window is
 * still recognised as a replay (RFC 6749 §4.1.2: revoke what was issued from it) instead of
 * looking like an unknown code.
 */
export const CODE_KEPT_AFTER_EXPIRY_MS = 3600_000;

interface Row {
  tenant_id: string;
  client_id: string;
  user_id: string;
  redirect_uri: string;
  scope: string;
  audience: string | null;
  nonce: string | null;
  code_challenge: string | null;
  sid: string;
  auth_time: number | string;
  expires_at: number | string;
  used_at: number | string | null;
  issued_family: string | null;
}

/**
 * Authorization codes, by the SHA-256 digest (base64url) of the code the client holds: the
 * code itself is never stored. Single use is one conditional UPDATE (`claim`), so of two
 * racing token requests exactly one wins, on SQLite and PostgreSQL alike.
 */
export class AuthorizationCodeStore {
  constructor(private readonly db: Db) {}

  async insert(codeHash: string, code: AuthorizationCode): Promise<void> {
    await this.db.run(
      `INSERT INTO authorization_codes (code_hash, tenant_id, client_id, user_id, redirect_uri, scope, audience, nonce, code_challenge, sid, auth_time, created_at, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        codeHash, code.tenantId, code.clientId, code.userId, code.redirectUri, code.scope, code.audience, code.nonce, code.codeChallenge, code.sid,
        code.authTime, Date.now(), code.expiresAt,
      ],
    );
  }

  /** The code's row on this tenant, used or not, expired or not (the caller decides). */
  async find(tenantId: string, codeHash: string): Promise<StoredAuthorizationCode | null> {
    const r = await this.db.get<Row>(`SELECT * FROM authorization_codes WHERE tenant_id = ? AND code_hash = ?`, [tenantId, codeHash]);
    if (!r) return null;
    return {
      tenantId: r.tenant_id,
      clientId: r.client_id,
      userId: r.user_id,
      redirectUri: r.redirect_uri,
      scope: r.scope,
      audience: r.audience,
      nonce: r.nonce,
      codeChallenge: r.code_challenge,
      sid: r.sid,
      authTime: Number(r.auth_time),
      expiresAt: Number(r.expires_at),
      usedAt: r.used_at === null ? null : Number(r.used_at),
      issuedFamily: r.issued_family,
    };
  }

  /** Marks the code used; true only for the one call that did (unused and unexpired before it). */
  async claim(tenantId: string, codeHash: string, now: number): Promise<boolean> {
    const r = await this.db.run(
      `UPDATE authorization_codes SET used_at = ? WHERE tenant_id = ? AND code_hash = ? AND used_at IS NULL AND expires_at > ?`,
      [now, tenantId, codeHash, now],
    );
    return r.changes === 1;
  }

  /** Records the token family issued from the code, so a later replay can revoke it. */
  async setIssuedFamily(tenantId: string, codeHash: string, familyId: string): Promise<void> {
    await this.db.run(`UPDATE authorization_codes SET issued_family = ? WHERE tenant_id = ? AND code_hash = ?`, [familyId, tenantId, codeHash]);
  }

  async purgeExpired(now: number): Promise<number> {
    return (await this.db.run(`DELETE FROM authorization_codes WHERE expires_at <= ?`, [now - CODE_KEPT_AFTER_EXPIRY_MS])).changes;
  }
}
