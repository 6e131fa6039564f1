import type { Services } from './index.ts';
import type { TenantContext } from './tenant-directory.ts';
import type { ClientGrant, ResourceServer } from '../store/index.ts';
import type { Scope } from '../store/resource-servers.ts';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError } from '../domain/errors.ts';
import { newClientGrantId, newResourceServerId } from '../domain/ids.ts';

/**
 * APIs (resource servers) and client grants: which application may get tokens for which API
 * and scopes. Changes to an API bump the tenant version and changes to a grant bump the
 * client's, so the token endpoint's cached grant views never outlive them.
 */
export class ApiService {
  constructor(private readonly s: Services) {}

  async createApi(t: TenantContext, input: { name?: string; identifier: string; scopes?: Scope[]; token_lifetime?: number }): Promise<ResourceServer> {
    if (await this.s.store.resourceServers.find(t.tenant.id, input.identifier)) {
      throw new ConflictError('resource_server_exists', 'A resource server with the same identifier already exists');
    }
    checkScopes(input.scopes ?? []);
    const rs = await this.s.store.resourceServers.insert({
      id: newResourceServerId(),
      tenantId: t.tenant.id,
      name: input.name ?? input.identifier,
      identifier: input.identifier,
      scopes: input.scopes ?? [],
      signingAlg: 'RS256',
      tokenLifetime: input.token_lifetime ?? 86400,
      isSystem: false,
    });
    await this.changed(t);
    return rs;
  }

  async getApi(t: TenantContext, id: string): Promise<ResourceServer> {
    const rs = await this.s.store.resourceServers.find(t.tenant.id, id);
    if (!rs) throw new NotFoundError('resource_server_not_found', 'Resource server not found');
    return rs;
  }

  async updateApi(t: TenantContext, id: string, patch: { name?: string; scopes?: Scope[]; token_lifetime?: number }): Promise<ResourceServer> {
    const rs = await this.getApi(t, id);
    // As on Auth0, the Management API's token lifetime may be shortened (or lengthened); its
    // name and scopes are the system's and stay as they are.
    if (rs.isSystem && (patch.name !== undefined || patch.scopes !== undefined)) {
      throw new ForbiddenError('system_resource_server', "The Management API's name and scopes cannot be changed; only its token_lifetime can.");
    }
    if (patch.scopes) checkScopes(patch.scopes);
    await this.s.store.resourceServers.update(t.tenant.id, rs.id, { name: patch.name, scopes: patch.scopes, tokenLifetime: patch.token_lifetime });
    await this.changed(t);
    return this.getApi(t, rs.id);
  }

  async deleteApi(t: TenantContext, id: string): Promise<void> {
    const rs = await this.getApi(t, id);
    if (rs.isSystem) throw new ForbiddenError('system_resource_server', 'The Management API cannot be deleted.');
    // Its grants go with it, in the same transaction: left behind, they would come back to life
    // when an API with the same identifier is created again. Each affected client's version and
    // the tenant's are bumped, so cached views on every node are refused.
    await this.s.store.db.transaction(async (tx) => {
      const grants = await this.s.store.clientGrants.list(t.tenant.id, { audience: rs.identifier }, tx);
      for (const g of grants) {
        await this.s.store.clientGrants.delete(t.tenant.id, g.id, tx);
        await this.s.store.clients.touch(t.tenant.id, g.clientId, tx);
      }
      await this.s.store.resourceServers.delete(t.tenant.id, rs.id, tx);
      await this.s.store.tenants.touch(t.tenant.id, tx);
    });
    this.s.cache.invalidateAll();
    await this.s.directory.reload();
  }

  async createGrant(t: TenantContext, input: { client_id: string; audience: string; scope: string[] }): Promise<ClientGrant> {
    const client = await this.s.store.clients.get(t.tenant.id, input.client_id);
    if (!client) throw new NotFoundError('client_not_found', 'Client not found.');
    const rs = await this.s.store.resourceServers.find(t.tenant.id, input.audience);
    if (!rs || rs.identifier !== input.audience) throw new NotFoundError('resource_server_not_found', `No resource server with identifier "${input.audience.slice(0, 200)}".`);
    this.checkGrantScopes(rs, input.scope);
    if ((await this.s.store.clientGrants.list(t.tenant.id, { clientId: input.client_id, audience: input.audience })).length) {
      throw new ConflictError('client_grant_exists', 'A client grant for this client and audience already exists.');
    }
    const g = await this.s.store.db.transaction(async (tx) => {
      const g = await this.s.store.clientGrants.insert({ id: newClientGrantId(), tenantId: t.tenant.id, clientId: input.client_id, audience: input.audience, scope: input.scope }, tx);
      await this.s.store.clients.touch(t.tenant.id, input.client_id, tx);
      return g;
    });
    this.s.cache.invalidate(t.tenant.id, input.client_id);
    return g;
  }

  async updateGrant(t: TenantContext, id: string, scope: string[]): Promise<ClientGrant> {
    const g = await this.s.store.clientGrants.get(t.tenant.id, id);
    if (!g) throw new NotFoundError('client_grant_not_found', 'Client grant not found.');
    const rs = await this.s.store.resourceServers.find(t.tenant.id, g.audience);
    if (rs) this.checkGrantScopes(rs, scope);
    await this.s.store.db.transaction(async (tx) => {
      await this.s.store.clientGrants.updateScope(t.tenant.id, id, scope, tx);
      await this.s.store.clients.touch(t.tenant.id, g.clientId, tx);
    });
    this.s.cache.invalidate(t.tenant.id, g.clientId);
    return (await this.s.store.clientGrants.get(t.tenant.id, id))!;
  }

  async deleteGrant(t: TenantContext, id: string): Promise<void> {
    const g = await this.s.store.clientGrants.get(t.tenant.id, id);
    if (!g) throw new NotFoundError('client_grant_not_found', 'Client grant not found.');
    await this.s.store.db.transaction(async (tx) => {
      await this.s.store.clientGrants.delete(t.tenant.id, id, tx);
      await this.s.store.clients.touch(t.tenant.id, g.clientId, tx);
    });
    this.s.cache.invalidate(t.tenant.id, g.clientId);
  }

  private checkGrantScopes(rs: ResourceServer, scope: string[]) {
    const defined = new Set(rs.scopes.map((s) => s.value));
    const unknown = scope.filter((s) => !defined.has(s));
    if (unknown.length) throw new InvalidInputError('invalid_scope', `Scopes not defined by the API: ${unknown.slice(0, 10).join(', ')}.`, 'scope');
  }

  private async changed(t: TenantContext) {
    await this.s.store.tenants.touch(t.tenant.id);
    this.s.cache.invalidateAll();
    await this.s.directory.reload();
  }
}

function checkScopes(scopes: Scope[]) {
  const values = scopes.map((s) => s.value);
  if (new Set(values).size !== values.length) throw new InvalidInputError('duplicate_scope', 'Scope values must be unique.', 'scopes');
  for (const v of values) if (!/^[\x21\x23-\x5B\x5D-\x7E]{1,280}$/.test(v)) throw new InvalidInputError('invalid_scope', `Invalid scope value "${v.slice(0, 40)}" (RFC 6749 scope-token characters only).`, 'scopes');
}
