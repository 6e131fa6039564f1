import type { Db, Param, Queryable } from './sql/db.ts';
import { pagedQuery, type PageRequest } from './paging.ts';
import type { Extras } from '../domain/object-fields/field-rules.ts';

export interface ClientGrant {
  id: string;
  tenantId: string;
  clientId: string;
  audience: string;
  scope: string[];
  /** Auth0's descriptive fields, as sent (see src/domain/object-fields/client-grant-fields.ts). */
  extras: Extras;
  createdAt: number;
}

interface Row {
  id: string;
  tenant_id: string;
  client_id: string;
  audience: string;
  scope: string;
  extras: string;
  created_at: number;
}

const toGrant = (r: Row): ClientGrant => ({
  id: r.id,
  tenantId: r.tenant_id,
  clientId: r.client_id,
  audience: r.audience,
  scope: JSON.parse(r.scope),
  extras: JSON.parse(r.extras),
  createdAt: Number(r.created_at),
});

/** Which client may obtain tokens for which API, with which scopes. */
export class ClientGrantStore {
  constructor(private readonly db: Db) {}

  async insert(g: Omit<ClientGrant, 'createdAt'>, q: Queryable = this.db): Promise<ClientGrant> {
    const now = Date.now();
    await q.run(`INSERT INTO client_grants (id, tenant_id, client_id, audience, scope, extras, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`, [
      g.id, g.tenantId, g.clientId, g.audience, JSON.stringify(g.scope), JSON.stringify(g.extras), now,
    ]);
    return { ...g, createdAt: now };
  }

  async list(tenantId: string, filter: { clientId?: string; audience?: string } = {}, q: Queryable = this.db): Promise<ClientGrant[]> {
    const where = ['tenant_id = ?'];
    const params: string[] = [tenantId];
    if (filter.clientId) { where.push('client_id = ?'); params.push(filter.clientId); }
    if (filter.audience) { where.push('audience = ?'); params.push(filter.audience); }
    return (await q.all<Row>(`SELECT * FROM client_grants WHERE ${where.join(' AND ')} ORDER BY created_at, id`, params)).map(toGrant);
  }

  /** One page of the tenant's grants in (creation time, id) order, filtered; `total` counts every match. */
  async page(tenantId: string, filter: { clientId?: string; audience?: string }, page: PageRequest, opts: { total: boolean }): Promise<{ grants: ClientGrant[]; total?: number }> {
    const where = ['tenant_id = ?'];
    const params: Param[] = [tenantId];
    if (filter.clientId !== undefined) { where.push('client_id = ?'); params.push(filter.clientId); }
    if (filter.audience !== undefined) { where.push('audience = ?'); params.push(filter.audience); }
    const q = pagedQuery('client_grants', where, params, page, { created: 'created_at', id: 'id' });
    const rows = await this.db.all<Row>(q.select, q.selectParams);
    const total = opts.total ? Number((await this.db.get<{ n: number }>(q.count, q.countParams))?.n ?? 0) : undefined;
    return { grants: rows.map(toGrant), ...(total !== undefined && { total }) };
  }

  async get(tenantId: string, id: string, q: Queryable = this.db): Promise<ClientGrant | undefined> {
    const r = await q.get<Row>(`SELECT * FROM client_grants WHERE tenant_id = ? AND id = ?`, [tenantId, id]);
    return r && toGrant(r);
  }

  async update(tenantId: string, id: string, patch: { scope?: string[]; extras?: Extras }, q: Queryable = this.db): Promise<void> {
    const cur = await this.get(tenantId, id, q);
    if (!cur) return;
    await q.run(`UPDATE client_grants SET scope = ?, extras = ? WHERE tenant_id = ? AND id = ?`, [
      JSON.stringify(patch.scope ?? cur.scope), JSON.stringify(patch.extras ?? cur.extras), tenantId, id,
    ]);
  }

  async delete(tenantId: string, id: string, q: Queryable = this.db): Promise<boolean> {
    return (await q.run(`DELETE FROM client_grants WHERE tenant_id = ? AND id = ?`, [tenantId, id])).changes > 0;
  }
}
