import type { Services } from './index.ts';
import { redirectUrl } from '../domain/redirect-url.ts';
import { list } from '../domain/object-fields/field-rules.ts';
import type { Client } from '../store/index.ts';
import type { ClientFilter } from '../store/clients.ts';
import type { PageRequest } from '../store/paging.ts';
import type { TenantContext } from './tenant-directory.ts';
import { ForbiddenError, InvalidInputError, NotFoundError } from '../domain/errors.ts';
import { assertPlanAllowsPrivateKeyJwt } from '../domain/plans.ts';
import { assertConfidential, isConfidential, parseAppType } from '../domain/app-types.ts';
import { newClientId, newClientSecret } from '../domain/ids.ts';
import { effectiveExpiry, type NewCredentialInput } from '../domain/credentials/index.ts';
import { CredentialService, lockClient } from './credentials.ts';
import { GRANT_TYPES } from './grants/registry.ts';
import { applyExtras, type Extras } from '../domain/object-fields/field-rules.ts';
import { CLIENT_FIELDS, checkJwtConfiguration } from '../domain/object-fields/client-fields.ts';

export const SECRET_METHODS = ['client_secret_post', 'client_secret_basic'] as const;
export const AUTH_METHODS = ['none', ...SECRET_METHODS] as const;
/** Auth0's limit of credentials enabled at once per method: two, so keys rotate with overlap. */
export const MAX_ENABLED_CREDENTIALS = 2;

export interface ClientCreateInput {
  name: string;
  description?: string;
  app_type?: string;
  token_endpoint_auth_method?: string;
  grant_types?: string[];
  callbacks?: string[];
  allowed_origins?: string[];
  jwt_configuration?: JwtConfigurationInput;
  client_authentication_methods?: { private_key_jwt?: { credentials: NewCredentialInput[] } } | null;
  /** Auth0's other fields, ruled by CLIENT_FIELDS. */
  [field: string]: unknown;
}

export interface JwtConfigurationInput {
  alg?: string;
  [property: string]: unknown;
}

export interface ClientUpdateInput {
  name?: string;
  description?: string;
  app_type?: string;
  token_endpoint_auth_method?: string | null;
  grant_types?: string[];
  callbacks?: string[];
  allowed_origins?: string[];
  jwt_configuration?: JwtConfigurationInput;
  client_authentication_methods?: { private_key_jwt?: { credentials: { id: string }[] } } | null;
  [field: string]: unknown;
}

/** What a new application may use unless it says otherwise: only grants the token endpoint honours. */
const DEFAULT_GRANTS: Record<string, string[]> = {
  non_interactive: ['client_credentials'],
  regular_web: ['authorization_code', 'refresh_token', 'client_credentials'],
  spa: ['authorization_code', 'refresh_token'],
  native: ['authorization_code', 'refresh_token'],
};

/** grant_types may name only grants Signet implements (the grant registry's list), each once. */
function checkGrantTypes(types: string[] | undefined): string[] | undefined {
  if (types === undefined) return undefined;
  const unknown = types.filter((t) => !(GRANT_TYPES as readonly string[]).includes(t));
  if (unknown.length) {
    throw new InvalidInputError(
      'unsupported_grant_type',
      `grant_types: ${unknown.slice(0, 3).map((t) => JSON.stringify(t.slice(0, 80))).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not supported by Signet; use any of ${GRANT_TYPES.join(', ')}.`,
      'grant_types',
    );
  }
  if (new Set(types).size !== types.length) throw new InvalidInputError('duplicate_grant_type', 'grant_types names a grant type more than once.', 'grant_types');
  return types;
}

export interface ClientView {
  client: Client;
  enabledCredentialIds: string[];
  /** Present only when the caller may see it and a secret method is active. */
  secret?: string;
}

/** Application use cases: the client half of Applications › Credentials (switching methods, enabling keys). */
export class ClientService {
  private readonly credentials: CredentialService;
  constructor(private readonly s: Services) {
    this.credentials = new CredentialService(s);
  }

  /** One page of the tenant's clients with what presenting each needs. */
  async page(t: TenantContext, filter: ClientFilter, page: PageRequest, opts: { total: boolean }) {
    const { clients, total } = await this.s.store.clients.page(t.tenant.id, filter, page, opts);
    const views: ClientView[] = [];
    for (const c of clients) views.push({ client: c, enabledCredentialIds: await this.s.store.clients.enabledCredentialIds(c.clientId) });
    return { views, total };
  }

  async get(t: TenantContext, clientId: string): Promise<ClientView> {
    const client = await this.s.store.clients.get(t.tenant.id, clientId);
    if (!client) throw new NotFoundError('client_not_found', 'Client not found.');
    return { client, enabledCredentialIds: await this.s.store.clients.enabledCredentialIds(clientId) };
  }

  secretOf(client: Client): string | undefined {
    if (client.privateKeyJwt || client.tokenEndpointAuthMethod === 'none' || !isConfidential(client.appType)) return undefined;
    return this.s.box.open(client.clientSecretEnc, `client_secret:${client.clientId}`);
  }

  async create(t: TenantContext, input: ClientCreateInput): Promise<ClientView & { secret?: string }> {
    const appType = parseAppType(input.app_type ?? 'regular_web');
    const pkjwt = input.client_authentication_methods?.private_key_jwt;
    if (pkjwt) {
      assertPlanAllowsPrivateKeyJwt(t.tenant.plan);
      assertConfidential(appType);
      if (input.token_endpoint_auth_method !== undefined) {
        throw new InvalidInputError('conflicting_auth_methods', 'Send either token_endpoint_auth_method or client_authentication_methods.private_key_jwt, not both.', 'token_endpoint_auth_method');
      }
      checkEnabledCount(pkjwt.credentials.length);
    }
    const method = pkjwt ? null : checkAuthMethod(input.token_endpoint_auth_method ?? (isConfidential(appType) ? 'client_secret_post' : 'none'), appType);
    const clientId = newClientId();
    const secret = newClientSecret();
    const client: Omit<Client, 'version' | 'createdAt' | 'updatedAt'> = {
      clientId,
      tenantId: t.tenant.id,
      name: checkName(input.name),
      description: input.description ?? '',
      appType,
      tokenEndpointAuthMethod: method,
      privateKeyJwt: !!pkjwt,
      clientSecretEnc: this.s.box.seal(secret, `client_secret:${clientId}`),
      grantTypes: checkGrantTypes(input.grant_types) ?? DEFAULT_GRANTS[appType]!,
      callbacks: checkCallbacks(input.callbacks) ?? [],
      allowedOrigins: input.allowed_origins ?? [],
      jwtAlg: checkJwtAlg(input.jwt_configuration),
      extras: withJwtConfiguration(applyExtras(CLIENT_FIELDS, input), input.jwt_configuration),
      isSystem: false,
    };
    const enabled = await this.s.store.db.transaction(async (tx) => {
      await this.s.store.clients.insert(client, tx);
      const ids: string[] = [];
      for (const cred of pkjwt?.credentials ?? []) ids.push((await this.credentials.insert(t, clientId, cred, tx)).id);
      if (ids.length) await this.s.store.clients.setEnabledCredentialIds(clientId, ids, tx);
      return ids;
    });
    const stored = (await this.s.store.clients.get(t.tenant.id, clientId))!;
    return { client: stored, enabledCredentialIds: enabled, secret: this.secretOf(stored) };
  }

  async update(t: TenantContext, clientId: string, input: ClientUpdateInput): Promise<ClientView> {
    await this.s.store.db.transaction(async (tx) => {
      await lockClient(tx, clientId);
      const cur = await this.s.store.clients.get(t.tenant.id, clientId, tx);
      if (!cur) throw new NotFoundError('client_not_found', 'Client not found.');
      const appType = input.app_type !== undefined ? parseAppType(input.app_type) : cur.appType;
      let privateKeyJwt = cur.privateKeyJwt;
      let method = cur.tokenEndpointAuthMethod;
      let enabledIds: string[] | undefined;

      const cam = input.client_authentication_methods;
      if (cam === null) {
        privateKeyJwt = false;
        enabledIds = [];
        method = checkAuthMethod(input.token_endpoint_auth_method ?? (isConfidential(appType) ? 'client_secret_post' : 'none'), appType);
      } else if (cam !== undefined) {
        if (!cam.private_key_jwt) {
          throw new InvalidInputError('invalid_client_authentication_methods', 'client_authentication_methods must contain private_key_jwt (or be null to switch back to a client secret).', 'client_authentication_methods');
        }
        assertPlanAllowsPrivateKeyJwt(t.tenant.plan);
        assertConfidential(appType);
        if (input.token_endpoint_auth_method !== undefined && input.token_endpoint_auth_method !== null) {
          throw new InvalidInputError(
            'conflicting_auth_methods',
            'token_endpoint_auth_method must be null (or omitted) while client_authentication_methods.private_key_jwt is set.',
            'token_endpoint_auth_method',
          );
        }
        const ids = cam.private_key_jwt.credentials.map((c) => c.id);
        checkEnabledCount(ids.length);
        if (new Set(ids).size !== ids.length) throw new InvalidInputError('duplicate_credential_id', 'A credential is listed twice in private_key_jwt.credentials.', 'client_authentication_methods');
        const owned = new Map((await this.s.store.credentials.list(t.tenant.id, clientId, tx)).map((c) => [c.id, c]));
        const now = this.s.clock();
        for (const id of ids) {
          const c = owned.get(id);
          if (!c) throw new InvalidInputError('credential_not_found', `Credential ${id.slice(0, 40)} does not exist on this client.`, 'client_authentication_methods');
          // A certificate's notAfter bounds the credential even when expires_at was cleared.
          const ends = effectiveExpiry(c.expiresAt, c.certNotAfter);
          if (ends !== null && ends <= now) {
            const which = ends === c.certNotAfter && (c.expiresAt === null || c.expiresAt > ends) ? 'its certificate expired' : 'it expired';
            throw new InvalidInputError(
              'credential_expired',
              `Credential ${id} cannot be enabled: ${which} on ${new Date(ends).toISOString()}. Upload a new credential instead.`,
              'client_authentication_methods',
            );
          }
        }
        privateKeyJwt = true;
        method = null;
        enabledIds = ids;
      } else if (input.token_endpoint_auth_method !== undefined) {
        if (cur.privateKeyJwt && input.token_endpoint_auth_method !== null) {
          throw new InvalidInputError(
            'private_key_jwt_active',
            'This client uses Private Key JWT. To switch to a client secret, send "client_authentication_methods": null together with token_endpoint_auth_method.',
            'token_endpoint_auth_method',
          );
        }
        if (input.token_endpoint_auth_method !== null) method = checkAuthMethod(input.token_endpoint_auth_method, appType);
      }
      if (privateKeyJwt && !isConfidential(appType)) assertConfidential(appType);

      await this.s.store.clients.update(
        t.tenant.id,
        clientId,
        {
          name: input.name !== undefined ? checkName(input.name) : undefined,
          description: input.description,
          appType,
          tokenEndpointAuthMethod: method,
          privateKeyJwt,
          grantTypes: checkGrantTypes(input.grant_types),
          callbacks: checkCallbacks(input.callbacks),
          allowedOrigins: input.allowed_origins,
          jwtAlg: input.jwt_configuration ? checkJwtAlg(input.jwt_configuration) : undefined,
          extras: withJwtConfiguration(applyExtras(CLIENT_FIELDS, input, cur.extras), input.jwt_configuration),
        },
        tx,
      );
      if (enabledIds) await this.s.store.clients.setEnabledCredentialIds(clientId, enabledIds, tx);
    });
    this.s.cache.invalidate(t.tenant.id, clientId);
    return this.get(t, clientId);
  }

  async delete(t: TenantContext, clientId: string): Promise<void> {
    const gone = await this.s.store.db.transaction((tx) => this.s.store.clients.delete(t.tenant.id, clientId, tx));
    if (!gone) throw new NotFoundError('client_not_found', 'Client not found.');
    this.s.cache.invalidate(t.tenant.id, clientId);
  }

  async rotateSecret(t: TenantContext, clientId: string): Promise<ClientView & { secret?: string }> {
    const { client } = await this.get(t, clientId);
    if (client.privateKeyJwt) {
      throw new ForbiddenError('private_key_jwt_active', 'rotate-secret cannot be used with clients configured with Private Key JWT authentication; rotate credentials instead.');
    }
    const secret = newClientSecret();
    await this.s.store.clients.update(t.tenant.id, clientId, { clientSecretEnc: this.s.box.seal(secret, `client_secret:${clientId}`) });
    this.s.cache.invalidate(t.tenant.id, clientId);
    const view = await this.get(t, clientId);
    return { ...view, secret: this.secretOf(view.client) };
  }
}

function checkEnabledCount(n: number) {
  if (n > MAX_ENABLED_CREDENTIALS) {
    throw new InvalidInputError(
      'too_many_enabled_credentials',
      `Array is too long (${n}), maximum ${MAX_ENABLED_CREDENTIALS}: at most ${MAX_ENABLED_CREDENTIALS} credentials can be enabled for Private Key JWT at once.`,
      'client_authentication_methods',
    );
  }
}

function checkAuthMethod(method: string, appType: string): string {
  if (!(AUTH_METHODS as readonly string[]).includes(method)) {
    throw new InvalidInputError('invalid_token_endpoint_auth_method', `token_endpoint_auth_method must be one of ${AUTH_METHODS.join(', ')} (or null with client_authentication_methods.private_key_jwt).`, 'token_endpoint_auth_method');
  }
  if (method !== 'none' && !isConfidential(appType)) {
    throw new InvalidInputError('public_client_secret', 'Single Page and Native applications are public clients: their token_endpoint_auth_method is none.', 'token_endpoint_auth_method');
  }
  return method;
}

function checkName(name: string): string {
  if (typeof name !== 'string' || !name.trim() || name.length > 128) throw new InvalidInputError('invalid_name', 'name is required and at most 128 characters.', 'name');
  return name;
}

function checkJwtAlg(jwt: JwtConfigurationInput | undefined): string {
  if (jwt !== undefined) checkJwtConfiguration(jwt, 'jwt_configuration');
  const alg = jwt?.alg;
  if (alg === undefined || alg === 'RS256') return 'RS256';
  throw new InvalidInputError('invalid_jwt_alg', 'jwt_configuration.alg is not supported by Signet unless RS256 (HS256 is not supported with Private Key JWT).', 'jwt_configuration');
}

/**
 * jwt_configuration's properties other than `alg` (which has its own column) are kept with the
 * extras, replaced as a whole when the object is sent again.
 */
function withJwtConfiguration(extras: Extras, jwt: JwtConfigurationInput | undefined): Extras {
  if (jwt === undefined) return extras;
  const { alg: _alg, ...rest } = jwt;
  const next = { ...extras };
  if (Object.keys(rest).length) next.jwt_configuration = rest;
  else delete next.jwt_configuration;
  return next;
}

/** Allowed Callback URLs: where /authorize may send a code, matched exactly (see src/domain/redirect-url.ts). */
const callbackList = list(redirectUrl, 100);
function checkCallbacks(v: string[] | undefined): string[] | undefined {
  if (v !== undefined) callbackList(v, 'callbacks');
  return v;
}
