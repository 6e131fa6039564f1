import type { Services } from './index.ts';
import type { TenantContext } from './tenant-directory.ts';
import type { ClientGrant, ResourceServer } from '../store/index.ts';
import type { Scope } from '../store/resource-servers.ts';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError } from '../domain/errors.ts';
import { newClientGrantId, newResourceServerId } from '../domain/ids.ts';
import { applyExtras, type Extras } from '../domain/object-fields/field-rules.ts';
import { CLIENT_GRANT_FIELDS } from '../domain/object-fields/client-grant-fields.ts';
import {
  RESOURCE_SERVER_FIELDS,
  RESOURCE_SERVER_SIGNING_ALGS,
  SIGNING_SECRET_MAX_LENGTH,
  SIGNING_SECRET_MIN_LENGTH,
  type ResourceServerSigningAlg,
} from '../domain/object-fields/resource-server-fields.ts';
import { randomBytes } from 'node:crypto';

export interface ResourceServerInput {
  name?: string;
  scopes?: Scope[];
  token_lifetime?: number;
  signing_alg?: string;
  signing_secret?: string;
  /** Auth0's other fields, ruled by RESOURCE_SERVER_FIELDS. */
  [field: string]: unknown;
}

export interface ClientGrantInput {
  scope?: string[];
  /** Auth0's other fields, ruled by CLIENT_GRANT_FIELDS. */
  [field: string]: unknown;
}

/**
 * APIs (resource servers) and client grants: which application may get tokens for which API
 * and scopes. Changes to an API bump the tenant version and changes to a grant bump the
 * client's, so the token endpoint's cached grant views never outlive them.
 */
export class ApiService {
  constructor(private readonly s: Services) {}

  async createApi(t: TenantContext, input: ResourceServerInput & { identifier: string }): Promise<ResourceServer> {
    if (await this.s.store.resourceServers.find(t.tenant.id, input.identifier)) {
      throw new ConflictError('resource_server_exists', 'A resource server with the same identifier already exists');
    }
    checkScopes(input.scopes ?? []);
    const id = newResourceServerId();
    const tokenLifetime = input.token_lifetime ?? 86400;
    const extras = checkWebLifetime(applyExtras(RESOURCE_SERVER_FIELDS, input), tokenLifetime);
    const signingAlg = checkSigningAlg(input.signing_alg ?? 'RS256');
    const signingSecretEnc = this.sealSigningSecret(id, input.signing_secret, signingAlg, null);
    await this.ensureKeyFamily(t, signingAlg);
    const rs = await this.s.store.resourceServers.insert({
      id,
      tenantId: t.tenant.id,
      name: input.name ?? input.identifier,
      identifier: input.identifier,
      scopes: input.scopes ?? [],
      signingAlg,
      signingSecretEnc,
      tokenLifetime,
      extras,
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

  /** The API's HS256 signing secret, as Auth0 returns it with the API (undefined when it has none). */
  signingSecretOf(rs: ResourceServer): string | undefined {
    return rs.signingSecretEnc === null ? undefined : this.s.box.open(rs.signingSecretEnc, `signing_secret:${rs.id}`);
  }

  async updateApi(t: TenantContext, id: string, patch: ResourceServerInput): Promise<ResourceServer> {
    const rs = await this.getApi(t, id);
    // As on Auth0, the Management API's token lifetime may be shortened (or lengthened); the
    // rest of it is the system's and stays as it is.
    if (rs.isSystem) {
      const other = Object.keys(patch).find((k) => k !== 'token_lifetime' && patch[k] !== undefined);
      if (other !== undefined) throw new ForbiddenError('system_resource_server', `The Management API's ${other} cannot be changed; only its token_lifetime can.`);
    }
    if (patch.scopes) checkScopes(patch.scopes);
    const tokenLifetime = patch.token_lifetime ?? rs.tokenLifetime;
    const extras = checkWebLifetime(applyExtras(RESOURCE_SERVER_FIELDS, patch, rs.extras), tokenLifetime);
    const newAlg = patch.signing_alg !== undefined ? checkSigningAlg(patch.signing_alg) : undefined;
    const signingAlg = newAlg ?? rs.signingAlg;
    const signingSecretEnc = this.sealSigningSecret(rs.id, patch.signing_secret, signingAlg, rs.signingSecretEnc);
    if (newAlg !== undefined) await this.ensureKeyFamily(t, newAlg);
    await this.s.store.resourceServers.update(t.tenant.id, rs.id, {
      name: patch.name,
      scopes: patch.scopes,
      tokenLifetime: patch.token_lifetime,
      signingAlg,
      signingSecretEnc,
      extras,
    });
    await this.changed(t);
    return this.getApi(t, rs.id);
  }

  /**
   * The tenant's key family for an API's algorithm, made (and published in its JWKS) before the
   * API is stored with it, so the API's first token is signed and verifiable at once. Only after
   * every check passed: a refused request makes no keys. RS256 keys and HS256 secrets need none.
   */
  private async ensureKeyFamily(t: TenantContext, alg: ResourceServerSigningAlg): Promise<void> {
    if (alg === 'RS256' || alg === 'HS256') return;
    if (await this.s.store.signingKeys.ensureFamily(t.tenant.id, alg, this.s.clock())) await this.s.directory.forgetKeys(t.tenant.id);
  }

  /**
   * The sealed signing secret after a change: the one sent, else the current one, else (when
   * HS256 is chosen) a new random one, as Auth0 generates it. It signs the API's tokens while
   * its signing_alg is HS256, and is kept (as on Auth0) when the API moves to another algorithm.
   */
  private sealSigningSecret(id: string, sent: string | undefined, alg: string, current: string | null): string | null {
    if (sent !== undefined) {
      if (typeof sent !== 'string' || sent.length < SIGNING_SECRET_MIN_LENGTH || sent.length > SIGNING_SECRET_MAX_LENGTH) {
        throw new InvalidInputError(
          'invalid_signing_secret',
          `signing_secret must be ${SIGNING_SECRET_MIN_LENGTH} to ${SIGNING_SECRET_MAX_LENGTH} characters.`,
          'signing_secret',
        );
      }
      return this.s.box.seal(sent, `signing_secret:${id}`);
    }
    if (current !== null || alg !== 'HS256') return current;
    return this.s.box.seal(randomBytes(32).toString('base64url'), `signing_secret:${id}`);
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

  async getGrant(t: TenantContext, id: string): Promise<ClientGrant> {
    const g = await this.s.store.clientGrants.get(t.tenant.id, id);
    if (!g) throw new NotFoundError('client_grant_not_found', 'Client grant not found.');
    return g;
  }

  async createGrant(t: TenantContext, input: ClientGrantInput & { client_id: string; audience: string }): Promise<ClientGrant> {
    const scope = input.scope ?? [];
    const extras = applyExtras(CLIENT_GRANT_FIELDS, input);
    const client = await this.s.store.clients.get(t.tenant.id, input.client_id);
    if (!client) throw new NotFoundError('client_not_found', 'Client not found.');
    const rs = await this.s.store.resourceServers.find(t.tenant.id, input.audience);
    if (!rs || rs.identifier !== input.audience) throw new NotFoundError('resource_server_not_found', `No resource server with identifier "${input.audience.slice(0, 200)}".`);
    this.checkGrantScopes(rs, scope);
    if ((await this.s.store.clientGrants.list(t.tenant.id, { clientId: input.client_id, audience: input.audience })).length) {
      throw new ConflictError('client_grant_exists', 'A client grant for this client and audience already exists.');
    }
    const g = await this.s.store.db.transaction(async (tx) => {
      const g = await this.s.store.clientGrants.insert({ id: newClientGrantId(), tenantId: t.tenant.id, clientId: input.client_id, audience: input.audience, scope, extras }, tx);
      await this.s.store.clients.touch(t.tenant.id, input.client_id, tx);
      return g;
    });
    this.s.cache.invalidate(t.tenant.id, input.client_id);
    return g;
  }

  /** Changes any subset of a grant's updatable fields (scope among them, or not). */
  async updateGrant(t: TenantContext, id: string, patch: ClientGrantInput): Promise<ClientGrant> {
    const g = await this.getGrant(t, id);
    const extras: Extras = applyExtras(CLIENT_GRANT_FIELDS, patch, g.extras);
    if (patch.scope !== undefined) {
      const rs = await this.s.store.resourceServers.find(t.tenant.id, g.audience);
      if (rs) this.checkGrantScopes(rs, patch.scope);
    }
    await this.s.store.db.transaction(async (tx) => {
      await this.s.store.clientGrants.update(t.tenant.id, id, { scope: patch.scope, extras }, tx);
      await this.s.store.clients.touch(t.tenant.id, g.clientId, tx);
    });
    this.s.cache.invalidate(t.tenant.id, g.clientId);
    return this.getGrant(t, id);
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

function checkSigningAlg(alg: string): ResourceServerSigningAlg {
  if (!(RESOURCE_SERVER_SIGNING_ALGS as readonly string[]).includes(alg)) {
    throw new InvalidInputError('invalid_signing_alg', `signing_alg must be one of ${RESOURCE_SERVER_SIGNING_ALGS.join(', ')}.`, 'signing_alg');
  }
  return alg as ResourceServerSigningAlg;
}

/** Auth0: token_lifetime_for_web cannot be greater than token_lifetime. */
function checkWebLifetime(extras: Extras, tokenLifetime: number): Extras {
  const web = extras.token_lifetime_for_web;
  if (typeof web === 'number' && web > tokenLifetime) {
    throw new InvalidInputError('invalid_field', `token_lifetime_for_web (${web}) cannot be greater than token_lifetime (${tokenLifetime}).`, 'token_lifetime_for_web');
  }
  return extras;
}

function checkScopes(scopes: Scope[]) {
  const values = scopes.map((s) => s.value);
  if (new Set(values).size !== values.length) throw new InvalidInputError('duplicate_scope', 'Scope values must be unique.', 'scopes');
  for (const v of values) if (!/^[\x21\x23-\x5B\x5D-\x7E]{1,280}$/.test(v)) throw new InvalidInputError('invalid_scope', `Invalid scope value "${v.slice(0, 40)}" (RFC 6749 scope-token characters only).`, 'scopes');
}
