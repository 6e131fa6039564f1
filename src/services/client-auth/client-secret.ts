import type { Store } from '../../store/index.ts';
import { ClientAuthError, OAuthRequestError } from '../../domain/errors.ts';
import { isConfidential } from '../../domain/app-types.ts';
import { secretMatches, type ClientAuthCache } from '../client-auth-cache.ts';
import type { TenantContext } from '../tenant-directory.ts';
import type { AuthenticatedClient, AuthMethod, ClientAuthInput, ClientAuthMethod } from './types.ts';
import { namingClient, requireClient } from './load-client.ts';

/** client_secret_basic (RFC 6749 §2.3.1): the Authorization header. */
export class ClientSecretBasic implements ClientAuthMethod {
  readonly method = 'client_secret_basic' as const;
  constructor(private readonly store: Store, private readonly cache: ClientAuthCache) {}

  presented(input: ClientAuthInput): boolean {
    return input.authorization !== undefined && /^basic /i.test(input.authorization);
  }

  authenticate(tenant: TenantContext, input: ClientAuthInput): Promise<AuthenticatedClient> {
    const { id, secret } = parseBasic(input.authorization!);
    if (input.clientId !== undefined && input.clientId !== id) {
      throw new OAuthRequestError('invalid_request', 'client_id in the body differs from the client authenticated by the Authorization header.');
    }
    return checkSecret(this.store, this.cache, tenant, id, secret, this.method);
  }
}

/** client_secret_post (RFC 6749 §2.3.1): client_id and client_secret in the body. */
export class ClientSecretPost implements ClientAuthMethod {
  readonly method = 'client_secret_post' as const;
  constructor(private readonly store: Store, private readonly cache: ClientAuthCache) {}

  presented(input: ClientAuthInput): boolean {
    return input.clientSecret !== undefined;
  }

  authenticate(tenant: TenantContext, input: ClientAuthInput): Promise<AuthenticatedClient> {
    if (!input.clientId) throw new OAuthRequestError('invalid_request', 'client_id is required with client_secret.');
    return checkSecret(this.store, this.cache, tenant, input.clientId, input.clientSecret!, this.method);
  }
}

function checkSecret(store: Store, cache: ClientAuthCache, tenant: TenantContext, clientId: string, secret: string, method: AuthMethod): Promise<AuthenticatedClient> {
  return namingClient(clientId, async (named) => {
    let ctx = await requireClient(cache, tenant, clientId);
    named(ctx.client.name);
    // Secret auth is not the hot path: confirm the cached view is current before trusting it.
    if ((await store.clients.stamp(clientId)) !== ctx.stamp) {
      cache.invalidate(tenant.tenant.id, clientId);
      ctx = await requireClient(cache, tenant, clientId);
    }
    const { client } = ctx;
    // The caller is not authenticated yet: say which method was refused, never which one the client is registered for.
    const refused = `This client does not accept ${method}: use the authentication method it is registered for.`;
    if (client.privateKeyJwt) {
      throw new ClientAuthError('secret_not_accepted', refused, 'This client authenticates with Private Key JWT: a client secret is not accepted. Send a client_assertion.');
    }
    if (client.tokenEndpointAuthMethod === 'none' || !isConfidential(client.appType)) {
      throw new ClientAuthError('public_client', refused, 'This client is public (token_endpoint_auth_method none) and has no secret to authenticate with.');
    }
    if (client.tokenEndpointAuthMethod !== method) {
      throw new ClientAuthError('method_mismatch', refused, `This client is registered for ${client.tokenEndpointAuthMethod}, not ${method}.`);
    }
    if (!secretMatches(ctx.secret(), secret)) throw new ClientAuthError('invalid_secret', 'The client secret is incorrect.');
    return { ctx, method };
  });
}

export function parseBasic(header: string): { id: string; secret: string } {
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 1) throw new OAuthRequestError('invalid_request', 'The Authorization header is not valid Basic credentials (base64 of client_id:client_secret).');
  // RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
  try {
    return { id: decodeURIComponent(decoded.slice(0, i).replace(/\+/g, ' ')), secret: decodeURIComponent(decoded.slice(i + 1).replace(/\+/g, ' ')) };
  } catch {
    throw new OAuthRequestError('invalid_request', 'The Authorization header credentials are not valid form-urlencoded values.');
  }
}
