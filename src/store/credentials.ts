import type { Db, Queryable } from './sql/db.ts';

/** A stored credential. `pem` is the normalized public SPKI or the certificate: never a private key. */
export interface StoredCredential {
  id: string;
  tenantId: string;
  clientId: string;
  name: string;
  credentialType: string;
  pem: string;
  alg: string;
  kid: string;
  thumbprint: string;
  keyType: string;
  keyBits: number | null;
  curve: string | null;
  subjectDn: string | null;
  thumbprintSha256: string | null;
  certNotAfter: number | null;
  expiresAt: number | null;
  createdAt: number;
  updatedAt: number;
  lastUsedAt: number | null;
}

interface Row {
  id: string;
  tenant_id: string;
  client_id: string;
  name: string;
  credential_type: string;
  pem: string;
  alg: string;
  kid: string;
  thumbprint: string;
  key_type: string;
  key_bits: number | null;
  curve: string | null;
  subject_dn: string | null;
  thumbprint_sha256: string | null;
  cert_not_after: number | null;
  expires_at: number | null;
  created_at: number;
  updated_at: number;
  last_used_at: number | null;
}

const num = (v: number | null) => (v === null ? null : Number(v));
const toCredential = (r: Row): StoredCredential => ({
  id: r.id,
  tenantId: r.tenant_id,
  clientId: r.client_id,
  name: r.name,
  credentialType: r.credential_type,
  pem: r.pem,
  alg: r.alg,
  kid: r.kid,
  thumbprint: r.thumbprint,
  keyType: r.key_type,
  keyBits: num(r.key_bits),
  curve: r.curve,
  subjectDn: r.subject_dn,
  thumbprintSha256: r.thumbprint_sha256,
  certNotAfter: num(r.cert_not_after),
  expiresAt: num(r.expires_at),
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
  lastUsedAt: num(r.last_used_at),
});

export class CredentialStore {
  constructor(private readonly db: Db) {}

  async list(tenantId: string, clientId: string, q: Queryable = this.db): Promise<StoredCredential[]> {
    const rows = await q.all<Row>(`SELECT * FROM credentials WHERE tenant_id = ? AND client_id = ? ORDER BY created_at, id`, [tenantId, clientId]);
    return rows.map(toCredential);
  }

  async get(tenantId: string, clientId: string, id: string, q: Queryable = this.db): Promise<StoredCredential | undefined> {
    const r = await q.get<Row>(`SELECT * FROM credentials WHERE tenant_id = ? AND client_id = ? AND id = ?`, [tenantId, clientId, id]);
    return r && toCredential(r);
  }

  async insert(c: Omit<StoredCredential, 'createdAt' | 'updatedAt' | 'lastUsedAt'>, q: Queryable): Promise<StoredCredential> {
    const now = Date.now();
    await q.run(
      `INSERT INTO credentials (id, tenant_id, client_id, name, credential_type, pem, alg, kid, thumbprint, key_type, key_bits, curve,
        subject_dn, thumbprint_sha256, cert_not_after, expires_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        c.id, c.tenantId, c.clientId, c.name, c.credentialType, c.pem, c.alg, c.kid, c.thumbprint, c.keyType, c.keyBits, c.curve,
        c.subjectDn, c.thumbprintSha256, c.certNotAfter, c.expiresAt, now, now,
      ],
    );
    return { ...c, createdAt: now, updatedAt: now, lastUsedAt: null };
  }

  async updateExpiry(tenantId: string, clientId: string, id: string, expiresAt: number | null, q: Queryable): Promise<void> {
    await q.run(`UPDATE credentials SET expires_at = ?, updated_at = ? WHERE tenant_id = ? AND client_id = ? AND id = ?`, [
      expiresAt, Date.now(), tenantId, clientId, id,
    ]);
  }

  async delete(tenantId: string, clientId: string, id: string, q: Queryable): Promise<boolean> {
    const r = await q.run(`DELETE FROM credentials WHERE tenant_id = ? AND client_id = ? AND id = ?`, [tenantId, clientId, id]);
    return r.changes > 0;
  }

  /** Records use, coalesced by the caller (a minute's precision is what the dashboard shows). */
  async markUsed(ids: readonly string[], at: number): Promise<void> {
    for (const id of ids) await this.db.run(`UPDATE credentials SET last_used_at = ? WHERE id = ?`, [at, id]);
  }
}
