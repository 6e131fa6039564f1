import { ClientAuthError } from '../../domain/errors.ts';
import { isPublicClient } from '../../domain/app-types.ts';
import type { ClientAuthCache } from '../client-auth-cache.ts';
import type { TenantContext } from '../tenant-directory.ts';
import type { AuthenticatedClient, ClientAuthInput, ClientAuthMethod } from './types.ts';
import { namingClient, requireClient } from './load-client.ts';

/**
 * none (OIDC Core §9): a public client (SPA, native) names itself by client_id alone. Only
 * grants that bind the request to something the client proved earlier (a PKCE verifier, a
 * refresh token issued to it) accept it; a confidential client never authenticates this way.
 */
export class NoClientAuthentication implements ClientAuthMethod {
  readonly method = 'none' as const;
  constructor(private readonly cache: ClientAuthCache) {}

  presented(input: ClientAuthInput): boolean {
    return input.clientId !== undefined;
  }

  authenticate(tenant: TenantContext, input: ClientAuthInput): Promise<AuthenticatedClient> {
    const clientId = input.clientId!;
    return namingClient(clientId, async (named) => {
      const ctx = await requireClient(this.cache, tenant, clientId);
      named(ctx.client.name);
      if (!isPublicClient(ctx.client)) throw authenticationRequired(clientId);
      return { ctx, method: this.method };
    });
  }
}

/** The refusal of a request that authenticates no client where the client must. */
export function authenticationRequired(clientId: string | undefined): ClientAuthError {
  const e = new ClientAuthError(
    'no_client_authentication',
    clientId
      ? 'Client authentication is required: send client_assertion (private_key_jwt) or client_secret.'
      : 'Client authentication is required: send client_id with client_secret, an Authorization: Basic header, or a client_assertion.',
  );
  e.clientId = clientId;
  return e;
}
