import type { Config } from '../config.ts';
import type { Store, Tenant } from '../store/index.ts';
import { InvalidInputError, ConflictError } from '../domain/errors.ts';
import { parsePlan } from '../domain/plans.ts';
import { DEFAULT_TENANT_SETTINGS } from '../domain/tenant-settings.ts';
import { newClientGrantId, newClientId, newClientSecret, newResourceServerId, newTenantId } from '../domain/ids.ts';
import { MANAGEMENT_SCOPES, managementAudience } from '../domain/management-scopes.ts';
import type { SecretBox } from '../domain/secret-box.ts';

export const DEFAULT_TENANT = 'default';
const TENANT_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** The Host a tenant is served on: the public URL's host for the default tenant, a subdomain of it otherwise. */
export function tenantHost(config: Config, name: string): string {
  return name === DEFAULT_TENANT ? config.publicUrl.host.toLowerCase() : `${name}.${config.publicUrl.host}`.toLowerCase();
}

/** The issuer identifier for a host Signet knows (never call this with an unverified Host). */
export function issuerFor(config: Config, host: string): string {
  return `${config.publicUrl.protocol}//${host}/`;
}

export interface CreatedTenant {
  tenant: string;
  plan: string;
  issuer: string;
  domain: string;
  management: { client_id: string; client_secret: string; audience: string };
}

/**
 * Creates a tenant with everything it needs to be used at once: its domain, a token signing
 * key, the Management API as a resource server, and an M2M application authorized for it.
 */
export async function createTenant(store: Store, box: SecretBox, config: Config, input: { name: string; plan?: string }): Promise<CreatedTenant> {
  const name = input.name.toLowerCase();
  if (!TENANT_NAME.test(name)) {
    throw new InvalidInputError('invalid_tenant_name', 'A tenant name is 1–63 lowercase letters, digits or hyphens, starting and ending with a letter or digit.', 'name');
  }
  const plan = parsePlan(input.plan ?? 'enterprise');
  if (await store.tenants.getByName(name)) throw new ConflictError('tenant_exists', `A tenant named "${name}" already exists.`);

  const id = newTenantId();
  const host = tenantHost(config, name);
  // Custom domains under the public host are refused (see reservedForTenants), but one added
  // before that rule, or under an earlier public URL, can still hold this tenant's subdomain.
  const holder = await store.tenants.tenantAt(host);
  if (holder !== undefined) {
    throw new ConflictError('domain_taken', `A tenant named "${name}" would be served at ${host}, which is already a domain of tenant "${holder}". Choose another name.`);
  }
  const issuer = issuerFor(config, host);
  const audience = managementAudience(issuer);
  const clientId = newClientId();
  const secret = newClientSecret();
  const now = Date.now();
  const keys = await store.signingKeys.prepareInitial(host, now);

  await store.db.transaction(async (tx) => {
    await store.tenants.create({ id, name, plan, settings: DEFAULT_TENANT_SETTINGS, primaryHost: host }, tx);
    await store.resourceServers.insert(
      {
        id: newResourceServerId(),
        tenantId: id,
        name: 'Signet Management API',
        identifier: audience,
        scopes: MANAGEMENT_SCOPES.map((value) => ({ value, description: value })),
        signingAlg: 'RS256',
        signingSecretEnc: null,
        tokenLifetime: 86400,
        extras: {},
        isSystem: true,
      },
      tx,
    );
    await store.clients.insert(
      {
        clientId,
        tenantId: id,
        name: `${name} Management Client`,
        description: 'Created with the tenant. Authorized for the Management API.',
        appType: 'non_interactive',
        tokenEndpointAuthMethod: 'client_secret_post',
        privateKeyJwt: false,
        clientSecretEnc: box.seal(secret, `client_secret:${clientId}`),
        grantTypes: ['client_credentials'],
        callbacks: [],
        allowedOrigins: [],
        jwtAlg: 'RS256',
        extras: {},
        isSystem: false,
      },
      tx,
    );
    await store.clientGrants.insert({ id: newClientGrantId(), tenantId: id, clientId, audience, scope: [...MANAGEMENT_SCOPES], extras: {} }, tx);
    await store.signingKeys.insertInitial(id, keys, now, tx);
  });
  return { tenant: name, plan, issuer, domain: host, management: { client_id: clientId, client_secret: secret, audience } };
}

/** On first start with an empty database: the default tenant, on the Enterprise plan. */
export async function ensureDefaultTenant(store: Store, box: SecretBox, config: Config): Promise<CreatedTenant | null> {
  if ((await store.tenants.count()) > 0) return null;
  try {
    return await createTenant(store, box, config, { name: DEFAULT_TENANT, plan: 'enterprise' });
  } catch (err) {
    // Another worker won the race.
    if ((await store.tenants.getByName(DEFAULT_TENANT)) !== undefined) return null;
    throw err;
  }
}

export type { Tenant };
