import type { Db, Queryable } from './sql/db.ts';
import { parseTenantSettings, type TenantSettings } from '../domain/tenant-settings.ts';

export interface Tenant {
  id: string;
  name: string;
  plan: string;
  settings: TenantSettings;
  version: number;
  createdAt: number;
}

interface TenantRow {
  id: string;
  name: string;
  plan: string;
  settings: string;
  version: number;
  created_at: number;
}

const toTenant = (r: TenantRow): Tenant => ({
  id: r.id,
  name: r.name,
  plan: r.plan,
  settings: parseTenantSettings(r.settings),
  version: r.version,
  createdAt: r.created_at,
});

export interface DomainMapping {
  host: string;
  tenantId: string;
  isPrimary: boolean;
}

/** Tenants and the domains (Host header values) they are served on. */
export class TenantStore {
  constructor(private readonly db: Db) {}

  async create(t: { id: string; name: string; plan: string; settings: TenantSettings; primaryHost: string }, q: Queryable = this.db): Promise<void> {
    const now = Date.now();
    await q.run(`INSERT INTO tenants (id, name, plan, settings, version, created_at, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?)`, [
      t.id, t.name, t.plan, JSON.stringify(t.settings), now, now,
    ]);
    await q.run(`INSERT INTO domains (host, tenant_id, is_primary) VALUES (?, ?, 1)`, [t.primaryHost, t.id]);
  }

  async get(id: string): Promise<Tenant | undefined> {
    const r = await this.db.get<TenantRow>(`SELECT * FROM tenants WHERE id = ?`, [id]);
    return r && toTenant(r);
  }

  async getByName(name: string): Promise<Tenant | undefined> {
    const r = await this.db.get<TenantRow>(`SELECT * FROM tenants WHERE name = ?`, [name]);
    return r && toTenant(r);
  }

  async list(q: Queryable = this.db): Promise<Tenant[]> {
    return (await q.all<TenantRow>(`SELECT * FROM tenants ORDER BY created_at`)).map(toTenant);
  }

  async count(): Promise<number> {
    const r = await this.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM tenants`);
    return Number(r?.n ?? 0);
  }

  async domains(q: Queryable = this.db): Promise<DomainMapping[]> {
    const rows = await q.all<{ host: string; tenant_id: string; is_primary: number }>(`SELECT host, tenant_id, is_primary FROM domains`);
    return rows.map((r) => ({ host: r.host, tenantId: r.tenant_id, isPrimary: Number(r.is_primary) === 1 }));
  }

  async hostExists(host: string): Promise<boolean> {
    return (await this.db.get(`SELECT 1 AS x FROM domains WHERE host = ?`, [host])) !== undefined;
  }

  /** The name of the tenant served at `host`, if any. */
  async tenantAt(host: string): Promise<string | undefined> {
    const r = await this.db.get<{ name: string }>(`SELECT t.name FROM domains d JOIN tenants t ON t.id = d.tenant_id WHERE d.host = ?`, [host]);
    return r?.name;
  }

  /** Serves a tenant's domain at another host (its primary domain following the public URL). */
  async moveDomain(from: string, to: string, q: Queryable = this.db): Promise<void> {
    await q.run(`UPDATE domains SET host = ? WHERE host = ?`, [to, from]);
  }

  /** The public URL the server last started with (see `followPublicUrl`), if it ever recorded one. */
  async recordedPublicUrl(q: Queryable = this.db): Promise<string | undefined> {
    return (await q.get<{ value: string }>(`SELECT value FROM platform_settings WHERE name = 'public_url'`))?.value;
  }

  async recordPublicUrl(url: string, q: Queryable = this.db): Promise<void> {
    await q.run(`INSERT INTO platform_settings (name, value) VALUES ('public_url', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value`, [url]);
  }

  async addDomain(tenantId: string, host: string): Promise<void> {
    await this.db.run(`INSERT INTO domains (host, tenant_id, is_primary) VALUES (?, ?, 0)`, [host, tenantId]);
    await this.touch(tenantId);
  }

  async update(id: string, patch: { plan?: string; settings?: TenantSettings }): Promise<void> {
    const t = await this.get(id);
    if (!t) return;
    await this.db.run(`UPDATE tenants SET plan = ?, settings = ?, version = version + 1, updated_at = ? WHERE id = ?`, [
      patch.plan ?? t.plan, JSON.stringify(patch.settings ?? t.settings), Date.now(), id,
    ]);
  }

  /** The sum of tenant versions: any change anywhere moves it (the cross-process cache stamp). */
  async stamp(): Promise<string> {
    const r = await this.db.get<{ n: number; v: number }>(`SELECT COUNT(*) AS n, COALESCE(SUM(version), 0) AS v FROM tenants`);
    return `${r?.n ?? 0}:${r?.v ?? 0}`;
  }

  /** Marks the tenant changed: every cached view of its clients and APIs is reloaded. */
  async touch(id: string, q: Queryable = this.db) {
    await q.run(`UPDATE tenants SET version = version + 1, updated_at = ? WHERE id = ?`, [Date.now(), id]);
  }
}
