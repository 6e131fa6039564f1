import type { Config } from '../config.ts';
import type { Store } from '../store/index.ts';
import { managementAudience } from '../domain/management-scopes.ts';
import { DEFAULT_TENANT, issuerFor, tenantHost } from './tenants.ts';

export interface MovedTenant {
  tenant: string;
  /** The issuer before this start (null when it cannot be told). */
  from: string | null;
  to: string;
}

export interface BlockedTenant {
  tenant: string;
  /** Why it could not follow, for the start-up banner. */
  reason: string;
  /** Where the tenant stays. */
  stays: string;
}

export interface PublicUrlFollowed {
  /** The public URL recorded by the previous start (undefined on a first start, or a database from before it was recorded). */
  previous: string | undefined;
  moved: MovedTenant[];
  blocked: BlockedTenant[];
}

/**
 * Run on every server start: the default tenant is served at the public URL and every other
 * tenant at `{name}.{public host}`, so when SIGNET_PUBLIC_URL (or PORT) changed, their primary
 * domains, issuers and Management API audiences (with the grants naming it) move with it.
 * Custom domains stay as stored. A tenant whose new host is already someone's custom domain
 * stays where it was (reported, never silently taken over). Records the URL for the CLI.
 */
export async function followPublicUrl(store: Store, config: Config): Promise<PublicUrlFollowed> {
  return store.db.transaction(async (tx) => {
    // Nodes starting together: one moves the domains, the others then find nothing to do.
    if (tx.dialect === 'postgres') await tx.get(`SELECT pg_advisory_xact_lock(7524)`);
    const previous = await store.tenants.recordedPublicUrl(tx);
    const tenants = await store.tenants.list(tx);
    const domains = await store.tenants.domains(tx);
    const moved: MovedTenant[] = [];
    const blocked: BlockedTenant[] = [];
    for (const t of tenants) {
      const current = domains.find((d) => d.tenantId === t.id && d.isPrimary)?.host;
      const host = tenantHost(config, t.name);
      const issuer = issuerFor(config, host);
      const api = await store.resourceServers.system(t.id, tx);
      const audience = managementAudience(issuer);
      if (current === host && (!api || api.identifier === audience)) continue;
      const holder = current !== host ? domains.find((d) => d.host === host) : undefined;
      if (holder) {
        const name = tenants.find((x) => x.id === holder.tenantId)?.name ?? holder.tenantId;
        blocked.push({ tenant: t.name, stays: current ?? '(no domain)', reason: `${host} is a custom domain of tenant ${name}` });
        continue;
      }
      if (api && api.identifier !== audience && (await tx.get(`SELECT 1 AS x FROM resource_servers WHERE tenant_id = ? AND identifier = ?`, [t.id, audience]))) {
        blocked.push({ tenant: t.name, stays: current ?? '(no domain)', reason: `it has an API whose identifier is ${audience}, its Management API's identifier at the new URL` });
        continue;
      }
      if (current !== host) {
        if (current) await store.tenants.moveDomain(current, host, tx);
        else await tx.run(`INSERT INTO domains (host, tenant_id, is_primary) VALUES (?, ?, 1)`, [host, t.id]);
      }
      // The previous issuer is what the Management API audience was built from.
      const from = api?.identifier.endsWith('api/v2/') ? api.identifier.slice(0, -'api/v2/'.length) : current ? issuerFor(config, current) : null;
      if (api && api.identifier !== audience) await store.resourceServers.renameIdentifier(t.id, api.identifier, audience, tx);
      await store.tenants.touch(t.id, tx);
      moved.push({ tenant: t.name, from, to: issuer });
    }
    await store.tenants.recordPublicUrl(config.publicUrl.origin, tx);
    // The default tenant first: it is the one the banner names.
    moved.sort((a, b) => Number(b.tenant === DEFAULT_TENANT) - Number(a.tenant === DEFAULT_TENANT));
    return { previous, moved, blocked };
  });
}

/**
 * Hosts under the public host that are reserved: the public host itself (the default tenant)
 * and every `{label}.{public host}` (a tenant's subdomain, now or when that tenant is created).
 * A custom domain there would take a future tenant's domain.
 */
export function reservedForTenants(config: Config, host: string): boolean {
  const publicHost = config.publicUrl.host.toLowerCase();
  const h = host.toLowerCase();
  if (h === publicHost) return true;
  if (!h.endsWith(`.${publicHost}`)) return false;
  return !h.slice(0, -publicHost.length - 1).includes('.');
}
