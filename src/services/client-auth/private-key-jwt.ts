import { createHash } from 'node:crypto';
import type { Store } from '../../store/index.ts';
import { ClientAuthError, OAuthRequestError } from '../../domain/errors.ts';
import { planAllowsPrivateKeyJwt } from '../../domain/plans.ts';
import { isConfidential } from '../../domain/app-types.ts';
import {
  checkClientAssertionType,
  decodeClientAssertion,
  verifyClientAssertion,
  type DecodedAssertion,
  type VerifiedAssertion,
} from '../../domain/client-assertion/index.ts';
import { assertionPolicy } from '../../domain/assertion-policy.ts';
import type { ClientAuthCache, ClientAuthContext } from '../client-auth-cache.ts';
import type { PiggybackCounts } from '../../store/replay.ts';
import type { TenantContext } from '../tenant-directory.ts';
import type { AuthenticatedClient, ClientAuthInput, ClientAuthMethod } from './types.ts';
import { namingClient, requireClient } from './load-client.ts';

/**
 * private_key_jwt (RFC 7523 §2.2) in DESIGN.md's order: form, decode without trust, client and
 * policy, signature and claims, and only then the single-use record.
 */
export class PrivateKeyJwt implements ClientAuthMethod {
  readonly method = 'private_key_jwt' as const;
  constructor(private readonly store: Store, private readonly cache: ClientAuthCache) {}

  presented(input: ClientAuthInput): boolean {
    return input.clientAssertion !== undefined || input.clientAssertionType !== undefined;
  }

  async authenticate(tenant: TenantContext, input: ClientAuthInput, now: number, counts?: PiggybackCounts): Promise<AuthenticatedClient> {
    checkClientAssertionType(input.clientAssertionType);
    if (!input.clientAssertion) throw new OAuthRequestError('invalid_request', 'client_assertion is required with client_assertion_type.');
    // Decoding needs only the size limit; the tenant's current policy is applied by verifyWith.
    const decoded = decodeClientAssertion(input.clientAssertion, assertionPolicy(tenant.tenant.settings));
    const clientId = decoded.clientId;
    return namingClient(clientId, async (named) => {
      if (input.clientId !== undefined && input.clientId !== clientId) {
        throw new ClientAuthError('client_id_mismatch', "The client_id parameter differs from the assertion's 'iss' and 'sub'.");
      }
      let ctx = await requireClient(this.cache, tenant, clientId);
      named(ctx.client.name);
      let verified: VerifiedAssertion;
      try {
        verified = verifyWith(ctx, tenant, decoded, now);
      } catch (err) {
        // A cached view can refuse what the live data now allows (a credential enabled or the
        // plan raised by another process): ask whether the client changed, at a bounded rate,
        // and decide again on the newer view.
        const fresh = err instanceof ClientAuthError ? await this.cache.revalidate(tenant.tenant.id, clientId, ctx) : undefined;
        if (!fresh) throw err;
        ctx = fresh;
        verified = verifyWith(ctx, tenant, decoded, now);
      }
      const claim = await this.store.replay.claim(replayKey(tenant.tenant.id, clientId, verified.jti), verified.replayUntil, now, clientId, counts);
      if (claim.stamp !== ctx.stamp) {
        // Our cached view is stale (a credential, grant, client or tenant changed somewhere): decide again on fresh data.
        this.cache.invalidate(tenant.tenant.id, clientId);
        ctx = await requireClient(this.cache, tenant, clientId);
        verified = verifyWith(ctx, tenant, decoded, now);
      }
      if (!claim.claimed) {
        throw new ClientAuthError('jti_replayed', 'This client assertion was already used: every request needs a new assertion with a fresh jti.');
      }
      return { ctx, method: 'private_key_jwt', assertion: verified };
    });
  }
}

/** Plan, application and policy come from `ctx` (loaded together, checked by the stamp), so a change to any of them applies at once. */
function verifyWith(ctx: ClientAuthContext, tenant: TenantContext, decoded: DecodedAssertion, now: number): VerifiedAssertion {
  checkPrivateKeyJwtAllowed(ctx);
  return verifyClientAssertion(decoded, { credentials: ctx.candidates, issuer: tenant.issuer, tokenEndpoint: tenant.tokenEndpoint, policy: ctx.policy, now });
}

/** Step 3 of DESIGN's order: the tenant's plan, the application's type and its enabled method allow Private Key JWT. */
export function checkPrivateKeyJwtAllowed(ctx: ClientAuthContext): void {
  const { client } = ctx;
  if (!planAllowsPrivateKeyJwt(ctx.tenant.plan)) {
    throw new ClientAuthError(
      'plan_required',
      'Private Key JWT requires the Enterprise plan or above.',
      `Private Key JWT requires the Enterprise plan or above; this tenant is on the ${ctx.tenant.plan} plan.`,
    );
  }
  if (!isConfidential(client.appType)) {
    throw new ClientAuthError(
      'public_client',
      'Private Key JWT is only available to confidential applications (Regular Web or Machine to Machine).',
      `Private Key JWT is only available to confidential applications (Regular Web or Machine to Machine); this application's type is ${client.appType}.`,
    );
  }
  if (!client.privateKeyJwt) {
    throw new ClientAuthError(
      'method_not_enabled',
      'Private Key JWT is not enabled for this client.',
      `Private Key JWT is not enabled for this client (its token_endpoint_auth_method is ${client.tokenEndpointAuthMethod ?? 'unset'}).`,
    );
  }
}

/**
 * The replay store's key for (tenant, client, jti): a 132-bit digest, so keys are short and of
 * fixed size whatever the jti (B-tree inserts of random keys cost by their length) and the
 * store never holds the raw values.
 */
export const replayKey = (tenantId: string, clientId: string, jti: string) =>
  createHash('sha256').update(`${tenantId}\u0000${clientId}\u0000${jti}`).digest('base64url').slice(0, 22);
