import type { Db, Param, Queryable } from './sql/db.ts';
import { pagedQuery, type PageRequest } from './paging.ts';
import type { Extras } from '../domain/object-fields/field-rules.ts';

export interface Client {
  clientId: string;
  tenantId: string;
  name: string;
  description: string;
  appType: string;
  /** null while private_key_jwt is the method (Auth0 semantics). */
  tokenEndpointAuthMethod: string | null;
  privateKeyJwt: boolean;
  clientSecretEnc: string;
  grantTypes: string[];
  callbacks: string[];
  allowedOrigins: string[];
  jwtAlg: string;
  /** Auth0's descriptive fields, as sent (see src/domain/object-fields/client-fields.ts). */
  extras: Extras;
  isSystem: boolean;
  version: number;
  createdAt: number;
  updatedAt: number;
}

interface ClientRow {
  client_id: string;
  tenant_id: string;
  name: string;
  description: string;
  app_type: string;
  token_endpoint_auth_method: string | null;
  private_key_jwt: number;
  client_secret_enc: string;
  grant_types: string;
  callbacks: string;
  allowed_origins: string;
  jwt_alg: string;
  extras: string;
  is_system: number;
  version: number;
  created_at: number;
  updated_at: number;
}

const toClient = (r: ClientRow): Client => ({
  clientId: r.client_id,
  tenantId: r.tenant_id,
  name: r.name,
  description: r.description,
  appType: r.app_type,
  tokenEndpointAuthMethod: r.token_endpoint_auth_method,
  privateKeyJwt: Number(r.private_key_jwt) === 1,
  clientSecretEnc: r.client_secret_enc,
  grantTypes: JSON.parse(r.grant_types),
  callbacks: JSON.parse(r.callbacks),
  allowedOrigins: JSON.parse(r.allowed_origins),
  jwtAlg: r.jwt_alg,
  extras: JSON.parse(r.extras),
  isSystem: Number(r.is_system) === 1,
  version: Number(r.version),
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

/** The filters of `GET /clients` (Auth0's). */
export interface ClientFilter {
  appTypes?: string[];
  clientIds?: string[];
  isFirstParty?: boolean;
  isGlobal?: boolean;
}

export type ClientPatch = Partial<
  Pick<Client, 'name' | 'description' | 'appType' | 'tokenEndpointAuthMethod' | 'privateKeyJwt' | 'clientSecretEnc' | 'grantTypes' | 'callbacks' | 'allowedOrigins' | 'jwtAlg' | 'extras'>
>;

const COLUMNS: Record<keyof ClientPatch, string> = {
  name: 'name',
  description: 'description',
  appType: 'app_type',
  tokenEndpointAuthMethod: 'token_endpoint_auth_method',
  privateKeyJwt: 'private_key_jwt',
  clientSecretEnc: 'client_secret_enc',
  grantTypes: 'grant_types',
  callbacks: 'callbacks',
  allowedOrigins: 'allowed_origins',
  jwtAlg: 'jwt_alg',
  extras: 'extras',
};

/**
 * Applications. Every write bumps `version`, which is the stamp the token endpoint's
 * client cache is checked against; credential and grant changes bump it too (`touch`).
 */
export class ClientStore {
  constructor(private readonly db: Db) {}

  async insert(c: Omit<Client, 'version' | 'createdAt' | 'updatedAt'>, q: Queryable = this.db): Promise<void> {
    const now = Date.now();
    await q.run(
      `INSERT INTO clients (client_id, tenant_id, name, description, app_type, token_endpoint_auth_method, private_key_jwt, client_secret_enc,
        grant_types, callbacks, allowed_origins, jwt_alg, extras, is_system, version, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
      [
        c.clientId, c.tenantId, c.name, c.description, c.appType, c.tokenEndpointAuthMethod, c.privateKeyJwt ? 1 : 0, c.clientSecretEnc,
        JSON.stringify(c.grantTypes), JSON.stringify(c.callbacks), JSON.stringify(c.allowedOrigins), c.jwtAlg, JSON.stringify(c.extras), c.isSystem ? 1 : 0, now, now,
      ],
    );
  }

  async get(tenantId: string, clientId: string, q: Queryable = this.db): Promise<Client | undefined> {
    const r = await q.get<ClientRow>(`SELECT * FROM clients WHERE tenant_id = ? AND client_id = ?`, [tenantId, clientId]);
    return r && toClient(r);
  }

  async list(tenantId: string, page = 0, perPage = 50): Promise<{ clients: Client[]; total: number }> {
    const rows = await this.db.all<ClientRow>(`SELECT * FROM clients WHERE tenant_id = ? ORDER BY created_at, client_id LIMIT ? OFFSET ?`, [
      tenantId, perPage, page * perPage,
    ]);
    const total = await this.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM clients WHERE tenant_id = ?`, [tenantId]);
    return { clients: rows.map(toClient), total: Number(total?.n ?? 0) };
  }

  /** One page of the tenant's clients in (creation time, client_id) order, filtered; `total` counts every match. */
  async page(tenantId: string, filter: ClientFilter, page: PageRequest, opts: { total: boolean }): Promise<{ clients: Client[]; total?: number }> {
    const where = ['tenant_id = ?'];
    const params: Param[] = [tenantId];
    if (filter.appTypes) {
      where.push(`app_type IN (${filter.appTypes.map(() => '?').join(', ')})`);
      params.push(...filter.appTypes);
    }
    if (filter.clientIds) {
      where.push(`client_id IN (${filter.clientIds.map(() => '?').join(', ')})`);
      params.push(...filter.clientIds);
    }
    // Every Signet client is first-party and none is Auth0's legacy "global" client (as presented).
    if (filter.isFirstParty === false || filter.isGlobal === true) where.push('1 = 0');
    const q = pagedQuery('clients', where, params, page, { created: 'created_at', id: 'client_id' });
    const rows = await this.db.all<ClientRow>(q.select, q.selectParams);
    const total = opts.total ? Number((await this.db.get<{ n: number }>(q.count, q.countParams))?.n ?? 0) : undefined;
    return { clients: rows.map(toClient), ...(total !== undefined && { total }) };
  }

  async update(tenantId: string, clientId: string, patch: ClientPatch, q: Queryable = this.db): Promise<void> {
    const sets: string[] = [];
    const params: (string | number | null)[] = [];
    for (const [k, v] of Object.entries(patch) as [keyof ClientPatch, unknown][]) {
      if (v === undefined) continue;
      sets.push(`${COLUMNS[k]} = ?`);
      params.push(typeof v === 'object' && v !== null ? JSON.stringify(v) : typeof v === 'boolean' ? (v ? 1 : 0) : (v as string | null));
    }
    sets.push('version = version + 1', 'updated_at = ?');
    params.push(Date.now(), tenantId, clientId);
    await q.run(`UPDATE clients SET ${sets.join(', ')} WHERE tenant_id = ? AND client_id = ?`, params);
  }

  /** `{client version}:{tenant version}`, the stamp cached client views are checked against. */
  async stamp(clientId: string): Promise<string | null> {
    const r = await this.db.get<{ stamp: string }>(
      `SELECT c.version || ':' || t.version AS stamp FROM clients c JOIN tenants t ON t.id = c.tenant_id WHERE c.client_id = ?`,
      [clientId],
    );
    return r?.stamp ?? null;
  }

  /** Marks the client changed so every node's cached view of it is refused at once. */
  async touch(tenantId: string, clientId: string, q: Queryable = this.db): Promise<void> {
    await q.run(`UPDATE clients SET version = version + 1, updated_at = ? WHERE tenant_id = ? AND client_id = ?`, [Date.now(), tenantId, clientId]);
  }

  async delete(tenantId: string, clientId: string, q: Queryable = this.db): Promise<boolean> {
    await q.run(`DELETE FROM client_pkjwt_credentials WHERE client_id IN (SELECT client_id FROM clients WHERE tenant_id = ? AND client_id = ?)`, [tenantId, clientId]);
    const r = await q.run(`DELETE FROM clients WHERE tenant_id = ? AND client_id = ?`, [tenantId, clientId]);
    return r.changes > 0;
  }

  /** The credentials enabled for private_key_jwt, in the order they were given. */
  async enabledCredentialIds(clientId: string, q: Queryable = this.db): Promise<string[]> {
    const rows = await q.all<{ credential_id: string }>(`SELECT credential_id FROM client_pkjwt_credentials WHERE client_id = ? ORDER BY position`, [clientId]);
    return rows.map((r) => r.credential_id);
  }

  async setEnabledCredentialIds(clientId: string, ids: readonly string[], q: Queryable): Promise<void> {
    await q.run(`DELETE FROM client_pkjwt_credentials WHERE client_id = ?`, [clientId]);
    for (let i = 0; i < ids.length; i++) {
      await q.run(`INSERT INTO client_pkjwt_credentials (client_id, credential_id, position) VALUES (?, ?, ?)`, [clientId, ids[i]!, i]);
    }
  }
}
