import type { Db, Param, Queryable } from './sql/db.ts';
import { pagedQuery, type PageRequest } from './paging.ts';

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
  tokenLifetime: number;
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
  token_lifetime: number;
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
  tokenLifetime: Number(r.token_lifetime),
  isSystem: Number(r.is_system) === 1,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

/** APIs: the audiences tokens are issued for, with the scopes they define. */
export class ResourceServerStore {
  constructor(private readonly db: Db) {}

  async insert(rs: Omit<ResourceServer, 'createdAt' | 'updatedAt'>, q: Queryable = this.db): Promise<ResourceServer> {
    const now = Date.now();
    await q.run(
      `INSERT INTO resource_servers (id, tenant_id, name, identifier, scopes, signing_alg, token_lifetime, is_system, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [rs.id, rs.tenantId, rs.name, rs.identifier, JSON.stringify(rs.scopes), rs.signingAlg, rs.tokenLifetime, rs.isSystem ? 1 : 0, now, now],
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

  async update(tenantId: string, id: string, patch: { name?: string; scopes?: Scope[]; tokenLifetime?: number }): Promise<void> {
    const cur = await this.find(tenantId, id);
    if (!cur) return;
    await this.db.run(`UPDATE resource_servers SET name = ?, scopes = ?, token_lifetime = ?, updated_at = ? WHERE tenant_id = ? AND id = ?`, [
      patch.name ?? cur.name, JSON.stringify(patch.scopes ?? cur.scopes), patch.tokenLifetime ?? cur.tokenLifetime, Date.now(), tenantId, cur.id,
    ]);
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
