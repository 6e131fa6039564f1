import { createHash } from 'node:crypto';
import type { Store } from '../store/index.ts';
import { ClientAuthError, OAuthRequestError } from '../domain/errors.ts';
import { planAllowsPrivateKeyJwt } from '../domain/plans.ts';
import { isConfidential } from '../domain/app-types.ts';
import {
  checkClientAssertionType,
  decodeClientAssertion,
  verifyClientAssertion,
  type DecodedAssertion,
  type VerifiedAssertion,
} from '../domain/client-assertion/index.ts';
import { assertionPolicy } from '../domain/assertion-policy.ts';
import { ClientAuthCache, secretMatches, type ClientAuthContext } from './client-auth-cache.ts';
import type { TenantContext } from './tenant-directory.ts';

export type AuthMethod = 'private_key_jwt' | 'client_secret_basic' | 'client_secret_post';

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
 * Client authentication for every endpoint that needs it (one place, one order). Exactly one
 * method per request; private_key_jwt follows DESIGN.md's order: form, decode without trust,
 * client and policy, signature and claims, and only then the single-use record.
 */
export class ClientAuthenticator {
  constructor(private readonly store: Store, private readonly cache: ClientAuthCache) {}

  async authenticate(tenant: TenantContext, input: ClientAuthInput, now: number): Promise<AuthenticatedClient> {
    const basic = input.authorization !== undefined && /^basic /i.test(input.authorization);
    const methods = Number(basic) + Number(input.clientSecret !== undefined) + Number(input.clientAssertion !== undefined || input.clientAssertionType !== undefined);
    if (methods > 1) {
      throw new OAuthRequestError('invalid_request', 'Client authentication must use exactly one method: an Authorization header, client_secret, or client_assertion, not several.');
    }
    if (input.clientAssertion !== undefined || input.clientAssertionType !== undefined) return this.privateKeyJwt(tenant, input, now);
    if (basic) {
      const { id, secret } = parseBasic(input.authorization!);
      if (input.clientId !== undefined && input.clientId !== id) {
        throw new OAuthRequestError('invalid_request', 'client_id in the body differs from the client authenticated by the Authorization header.');
      }
      return this.secret(tenant, id, secret, 'client_secret_basic');
    }
    if (input.clientSecret !== undefined) {
      if (!input.clientId) throw new OAuthRequestError('invalid_request', 'client_id is required with client_secret.');
      return this.secret(tenant, input.clientId, input.clientSecret, 'client_secret_post');
    }
    const e = new ClientAuthError(
      'no_client_authentication',
      input.clientId
        ? 'Client authentication is required: send client_assertion (private_key_jwt) or client_secret.'
        : 'Client authentication is required: send client_id with client_secret, an Authorization: Basic header, or a client_assertion.',
    );
    e.clientId = input.clientId;
    throw e;
  }

  private async privateKeyJwt(tenant: TenantContext, input: ClientAuthInput, now: number): Promise<AuthenticatedClient> {
    checkClientAssertionType(input.clientAssertionType);
    if (!input.clientAssertion) throw new OAuthRequestError('invalid_request', 'client_assertion is required with client_assertion_type.');
    // Decoding needs only the size limit; the tenant's current policy is applied by verifyWith.
    const decoded = decodeClientAssertion(input.clientAssertion, assertionPolicy(tenant.tenant.settings));
    const clientId = decoded.clientId;
    let name: string | undefined;
    try {
      if (input.clientId !== undefined && input.clientId !== clientId) {
        throw new ClientAuthError('client_id_mismatch', "The client_id parameter differs from the assertion's 'iss' and 'sub'.");
      }
      let ctx = await this.requireClient(tenant, clientId);
      name = ctx.client.name;
      let verified: VerifiedAssertion;
      try {
        verified = this.verifyWith(ctx, tenant, decoded, now);
      } catch (err) {
        // A cached view can refuse what the live data now allows (a credential enabled or the
        // plan raised by another process): ask whether the client changed, at a bounded rate,
        // and decide again on the newer view.
        const fresh = err instanceof ClientAuthError ? await this.cache.revalidate(tenant.tenant.id, clientId, ctx) : undefined;
        if (!fresh) throw err;
        ctx = fresh;
        verified = this.verifyWith(ctx, tenant, decoded, now);
      }
      const claim = await this.store.replay.claim(replayKey(tenant.tenant.id, clientId, verified.jti), verified.replayUntil, now, clientId);
      if (claim.stamp !== ctx.stamp) {
        // Our cached view is stale (a credential, grant, client or tenant changed somewhere): decide again on fresh data.
        this.cache.invalidate(tenant.tenant.id, clientId);
        ctx = await this.requireClient(tenant, clientId);
        verified = this.verifyWith(ctx, tenant, decoded, now);
      }
      if (!claim.claimed) {
        throw new ClientAuthError('jti_replayed', 'This client assertion was already used: every request needs a new assertion with a fresh jti.');
      }
      return { ctx, method: 'private_key_jwt', assertion: verified };
    } catch (err) {
      if (err instanceof ClientAuthError) {
        err.clientId ??= clientId;
        err.clientName ??= name;
      }
      throw err;
    }
  }

  /** Plan, application and policy come from `ctx` (loaded together, checked by the stamp), so a change to any of them applies at once. */
  private verifyWith(ctx: ClientAuthContext, tenant: TenantContext, decoded: DecodedAssertion, now: number): VerifiedAssertion {
    checkPrivateKeyJwtAllowed(ctx);
    return verifyClientAssertion(decoded, { credentials: ctx.candidates, issuer: tenant.issuer, tokenEndpoint: tenant.tokenEndpoint, policy: ctx.policy, now });
  }

  private async secret(tenant: TenantContext, clientId: string, secret: string, method: AuthMethod): Promise<AuthenticatedClient> {
    let name: string | undefined;
    try {
      let ctx = await this.requireClient(tenant, clientId);
      name = ctx.client.name;
      // Secret auth is not the hot path: confirm the cached view is current before trusting it.
      if ((await this.store.clients.stamp(clientId)) !== ctx.stamp) {
        this.cache.invalidate(tenant.tenant.id, clientId);
        ctx = await this.requireClient(tenant, clientId);
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
      if (!secretMatches(ctx.secret, secret)) throw new ClientAuthError('invalid_secret', 'The client secret is incorrect.');
      return { ctx, method };
    } catch (err) {
      if (err instanceof ClientAuthError) {
        err.clientId ??= clientId;
        err.clientName ??= name;
      }
      throw err;
    }
  }

  private async requireClient(tenant: TenantContext, clientId: string): Promise<ClientAuthContext> {
    // No client_id holds a NUL, and PostgreSQL fails (500) on one in a query parameter.
    const ctx = clientId.includes('\u0000') ? null : await this.cache.get(tenant.tenant.id, clientId);
    if (!ctx) throw new ClientAuthError('unknown_client', 'Unknown client: no application with this client_id exists on this tenant.');
    return ctx;
  }
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

function parseBasic(header: string): { id: string; secret: string } {
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
