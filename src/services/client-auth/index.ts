import type { Store } from '../../store/index.ts';
import { OAuthRequestError } from '../../domain/errors.ts';
import type { ClientAuthCache } from '../client-auth-cache.ts';
import type { PiggybackCounts } from '../../store/replay.ts';
import type { TenantContext } from '../tenant-directory.ts';
import type { AuthenticatedClient, ClientAuthInput, ClientAuthMethod } from './types.ts';
import { PrivateKeyJwt } from './private-key-jwt.ts';
import { ClientSecretBasic, ClientSecretPost } from './client-secret.ts';
import { authenticationRequired, NoClientAuthentication } from './none.ts';

export type { AuthMethod, AuthenticatedClient, ClientAuthInput, ClientAuthMethod } from './types.ts';
export { checkPrivateKeyJwtAllowed, replayKey } from './private-key-jwt.ts';

export interface AuthenticateOptions {
  /** Whether a public client may name itself by client_id alone (the grant or endpoint decides). */
  allowPublic: boolean;
  /** Rate-limit increments a replay claim may carry in its round trip (see RateTicket.piggyback). */
  counts?: PiggybackCounts;
}

/**
 * Client authentication for every endpoint that needs it (token, revocation, PAR): one place,
 * one order. Exactly one method per request; `none` only when the endpoint allows public
 * clients and no other method's parameters were sent.
 */
export class ClientAuthenticator {
  private readonly methods: readonly ClientAuthMethod[];
  private readonly none: NoClientAuthentication;

  constructor(store: Store, cache: ClientAuthCache) {
    this.methods = [new PrivateKeyJwt(store, cache), new ClientSecretBasic(store, cache), new ClientSecretPost(store, cache)];
    this.none = new NoClientAuthentication(cache);
  }

  async authenticate(tenant: TenantContext, input: ClientAuthInput, now: number, opts: AuthenticateOptions = { allowPublic: false }): Promise<AuthenticatedClient> {
    const presented = this.methods.filter((m) => m.presented(input));
    if (presented.length > 1) {
      throw new OAuthRequestError('invalid_request', 'Client authentication must use exactly one method: an Authorization header, client_secret, or client_assertion, not several.');
    }
    if (presented[0]) return presented[0].authenticate(tenant, input, now, opts.counts);
    if (opts.allowPublic && this.none.presented(input)) return this.none.authenticate(tenant, input);
    throw authenticationRequired(input.clientId);
  }
}
