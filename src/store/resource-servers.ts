import type { Db, Param, Queryable } from './sql/db.ts';
import { pagedQuery, type PageRequest } from './paging.ts';
import type { Extras } from '../domain/object-fields/field-rules.ts';

export interface Scope {
  value: string;
  description: string;
}

export interface ResourceServer {
  id: string;
  tenantId: string;
  name: string;
  identifier: string;
  scopes: Scope[];
  signingAlg: string;
  /** The HS256 signing secret, sealed (null until HS256 is chosen or a secret is set). */
  signingSecretEnc: string | null;
  tokenLifetime: number;
  /** Auth0's descriptive fields, as sent (see src/domain/object-fields/resource-server-fields.ts). */
  extras: Extras;
  isSystem: boolean;
  createdAt: number;
  updatedAt: number;
}

interface Row {
  id: string;
  tenant_id: string;
  name: string;
  identifier: string;
  scopes: string;
  signing_alg: string;
  signing_secret_enc: string | null;
  token_lifetime: number;
  extras: string;
  is_system: number;
  created_at: number;
  updated_at: number;
}

const toRs = (r: Row): ResourceServer => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  identifier: r.identifier,
  scopes: JSON.parse(r.scopes),
  signingAlg: r.signing_alg,
  signingSecretEnc: r.signing_secret_enc,
  tokenLifetime: Number(r.token_lifetime),
  extras: JSON.parse(r.extras),
  isSystem: Number(r.is_system) === 1,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

export type ResourceServerPatch = Partial<Pick<ResourceServer, 'name' | 'scopes' | 'tokenLifetime' | 'signingAlg' | 'signingSecretEnc' | 'extras'>>;

const PATCH_COLUMNS: Record<keyof ResourceServerPatch, string> = {
  name: 'name',
  scopes: 'scopes',
  tokenLifetime: 'token_lifetime',
  signingAlg: 'signing_alg',
  signingSecretEnc: 'signing_secret_enc',
  extras: 'extras',
};

/** APIs: the audiences tokens are issued for, with the scopes they define. */
export class ResourceServerStore {
  constructor(private readonly db: Db) {}

  async insert(rs: Omit<ResourceServer, 'createdAt' | 'updatedAt'>, q: Queryable = this.db): Promise<ResourceServer> {
    const now = Date.now();
    await q.run(
      `INSERT INTO resource_servers (id, tenant_id, name, identifier, scopes, signing_alg, signing_secret_enc, token_lifetime, extras, is_system, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        rs.id, rs.tenantId, rs.name, rs.identifier, JSON.stringify(rs.scopes), rs.signingAlg, rs.signingSecretEnc, rs.tokenLifetime,
        JSON.stringify(rs.extras), rs.isSystem ? 1 : 0, now, now,
      ],
    );
    return { ...rs, createdAt: now, updatedAt: now };
  }

  async list(tenantId: string): Promise<ResourceServer[]> {
    return (await this.db.all<Row>(`SELECT * FROM resource_servers WHERE tenant_id = ? ORDER BY created_at, id`, [tenantId])).map(toRs);
  }

  /** One page of the tenant's APIs in (creation time, id) order, optionally only those `identifiers`; `total` counts every match. */
  async page(tenantId: string, filter: { identifiers?: string[] }, page: PageRequest, opts: { total: boolean }): Promise<{ resourceServers: ResourceServer[]; total?: number }> {
    const where = ['tenant_id = ?'];
    const params: Param[] = [tenantId];
    if (filter.identifiers) {
      where.push(`identifier IN (${filter.identifiers.map(() => '?').join(', ')})`);
      params.push(...filter.identifiers);
    }
    const q = pagedQuery('resource_servers', where, params, page, { created: 'created_at', id: 'id' });
    const rows = await this.db.all<Row>(q.select, q.selectParams);
    const total = opts.total ? Number((await this.db.get<{ n: number }>(q.count, q.countParams))?.n ?? 0) : undefined;
    return { resourceServers: rows.map(toRs), ...(total !== undefined && { total }) };
  }

  /** By id or by identifier (Auth0 accepts either in the path). */
  async find(tenantId: string, idOrIdentifier: string): Promise<ResourceServer | undefined> {
    const r = await this.db.get<Row>(`SELECT * FROM resource_servers WHERE tenant_id = ? AND (id = ? OR identifier = ?)`, [
      tenantId, idOrIdentifier, idOrIdentifier,
    ]);
    return r && toRs(r);
  }

  async update(tenantId: string, id: string, patch: ResourceServerPatch, q: Queryable = this.db): Promise<void> {
    const sets: string[] = [];
    const params: (string | number | null)[] = [];
    for (const [k, v] of Object.entries(patch) as [keyof ResourceServerPatch, unknown][]) {
      if (v === undefined) continue;
      sets.push(`${PATCH_COLUMNS[k]} = ?`);
      params.push(typeof v === 'object' && v !== null ? JSON.stringify(v) : (v as string | number | null));
    }
    sets.push('updated_at = ?');
    params.push(Date.now(), tenantId, id);
    await q.run(`UPDATE resource_servers SET ${sets.join(', ')} WHERE tenant_id = ? AND id = ?`, params);
  }

  /** The tenant's Management API (created with the tenant, never deleted). */
  async system(tenantId: string, q: Queryable = this.db): Promise<ResourceServer | undefined> {
    const r = await q.get<Row>(`SELECT * FROM resource_servers WHERE tenant_id = ? AND is_system = 1`, [tenantId]);
    return r && toRs(r);
  }

  /** Renames an API's identifier together with the client grants that name it as their audience. */
  async renameIdentifier(tenantId: string, from: string, to: string, q: Queryable = this.db): Promise<void> {
    await q.run(`UPDATE resource_servers SET identifier = ?, updated_at = ? WHERE tenant_id = ? AND identifier = ?`, [to, Date.now(), tenantId, from]);
    await q.run(`UPDATE client_grants SET audience = ? WHERE tenant_id = ? AND audience = ?`, [to, tenantId, from]);
  }

  async delete(tenantId: string, id: string, q: Queryable = this.db): Promise<boolean> {
    return (await q.run(`DELETE FROM resource_servers WHERE tenant_id = ? AND id = ? AND is_system = 0`, [tenantId, id])).changes > 0;
  }
}
