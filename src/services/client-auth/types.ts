import type { VerifiedAssertion } from '../../domain/client-assertion/index.ts';
import type { ClientAuthContext } from '../client-auth-cache.ts';
import type { TenantContext } from '../tenant-directory.ts';
import type { PiggybackCounts } from '../../store/replay.ts';

export type AuthMethod = 'private_key_jwt' | 'client_secret_basic' | 'client_secret_post' | 'none';

/** The parts of an OAuth request that carry client authentication. */
export interface ClientAuthInput {
  authorization?: string;
  clientId?: string;
  clientSecret?: string;
  clientAssertion?: string;
  clientAssertionType?: string;
}

export interface AuthenticatedClient {
  ctx: ClientAuthContext;
  method: AuthMethod;
  /** For private_key_jwt: which credential verified, and the assertion's jti. */
  assertion?: VerifiedAssertion;
}

/**
 * One client authentication method (RFC 6749 §2.3, RFC 7523, OIDC Core §9). `presented` says
 * whether the request carries this method's parameters at all; `authenticate` decides.
 */
export interface ClientAuthMethod {
  readonly method: AuthMethod;
  presented(input: ClientAuthInput): boolean;
  /** `counts`: rate-limit increments a replay claim may carry (only private_key_jwt claims anything). */
  authenticate(tenant: TenantContext, input: ClientAuthInput, now: number, counts?: PiggybackCounts): Promise<AuthenticatedClient>;
}
