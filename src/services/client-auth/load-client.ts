import { ClientAuthError } from '../../domain/errors.ts';
import type { ClientAuthCache, ClientAuthContext } from '../client-auth-cache.ts';
import type { TenantContext } from '../tenant-directory.ts';

/** The client a request names, from the cache; unknown on this tenant is a client authentication failure. */
export async function requireClient(cache: ClientAuthCache, tenant: TenantContext, clientId: string): Promise<ClientAuthContext> {
  // No client_id holds a NUL, and PostgreSQL fails (500) on one in a query parameter.
  const ctx = clientId.includes('\u0000') ? null : await cache.get(tenant.tenant.id, clientId);
  if (!ctx) throw new ClientAuthError('unknown_client', 'Unknown client: no application with this client_id exists on this tenant.');
  return ctx;
}

/** Runs `fn`, naming the client on any ClientAuthError it throws (for the log event). */
export async function namingClient<T>(clientId: string, fn: (named: (name: string) => void) => Promise<T>): Promise<T> {
  let name: string | undefined;
  try {
    return await fn((n) => (name = n));
  } catch (err) {
    if (err instanceof ClientAuthError) {
      err.clientId ??= clientId;
      err.clientName ??= name;
    }
    throw err;
  }
}
