import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../services.ts';
import { ClientAuthError, GrantError, OAuthRequestError, ServiceUnavailableError } from '../../domain/errors.ts';
import type { AuthenticatedClient } from '../../services/client-auth/index.ts';
import type { Grant, GrantOutcome, RequestOrigin, TokenParams } from '../../services/grants/registry.ts';
import { oauthErrorBody, retryAfter, type OAuthErrorBody } from '../errors.ts';
import { claimedClientId } from '../../services/client-auth/claimed-client.ts';
import { FAILED_AUTHENTICATION_WEIGHT } from '../../domain/rate-limit.ts';
import { logRefusal, refusalMessage, setRateHeaders, tokenSubjects } from '../rate-limits.ts';

/** The parameters of client authentication (RFC 6749 §2.3, RFC 7523 §2.2), read by every grant. */
const CLIENT_AUTH_PARAMETERS = {
  client_id: { type: 'string', maxLength: 128 },
  client_secret: { type: 'string', maxLength: 512 },
  // No maxLength: the domain refuses assertions over 2048 bytes with its own specific 401 and
  // log event; the route's body limit bounds what is read at all.
  client_assertion: { type: 'string' },
  client_assertion_type: { type: 'string', maxLength: 256 },
} as const;

/** When no grant could be chosen (grant_type missing or unknown), failures are logged as client credentials ones. */
const FALLBACK_FAILURE_TYPE = 'feccft';

function tokenSchema(services: Services) {
  return {
    body: {
      type: 'object',
      properties: { grant_type: { type: 'string', maxLength: 128 }, ...CLIENT_AUTH_PARAMETERS, ...services.grants.parameters() },
    },
    // A response schema lets Fastify serialise the token response with a compiled serializer.
    response: {
      200: {
        type: 'object',
        required: ['access_token', 'token_type', 'expires_in'],
        properties: {
          access_token: { type: 'string' },
          token_type: { type: 'string' },
          expires_in: { type: 'integer' },
          scope: { type: 'string' },
          id_token: { type: 'string' },
          refresh_token: { type: 'string' },
        },
      },
    },
  } as const;
}

/**
 * POST /oauth/token. Dispatches on grant_type to the grant registry: authenticates the client
 * the way the grant allows, checks the client's grant_types, and writes the grant's success or
 * failure log event with the reason.
 */
export function tokenRoutes(app: FastifyInstance, services: Services): void {
  app.post<{ Body: TokenParams }>('/oauth/token', { schema: tokenSchema(services), bodyLimit: 16 * 1024 }, async (req, reply) => {
    const now = services.clock();
    const params = req.body ?? {};
    const tenant = req.tenantCtx;
    // Limits first, before any verification: a key over its limit costs nothing more.
    const input = clientAuthInput(req, params);
    const claimed = claimedClientId(input);
    const ticket = services.limits.admit(tokenSubjects(tenant.tenant.id, tenant.tenant.settings, claimed, req.ip), now);
    if (ticket.refusal) {
      logRefusal(services, req, ticket.refusal, now, claimed ?? null);
      setRateHeaders(reply, ticket.refusal.status, now, true);
      noStore(reply);
      return reply.code(429).send({ error: 'too_many_requests', error_description: refusalMessage(ticket.refusal, now) });
    }
    let auth: AuthenticatedClient | undefined;
    let grant: Grant | undefined;
    try {
      grant = chooseGrant(services, params.grant_type);
      auth = await services.authenticator.authenticate(tenant, input, now, { allowPublic: grant.publicClients, counts: ticket.piggyback() });
      if (!auth.ctx.client.grantTypes.includes(grant.type)) {
        throw new OAuthRequestError('unauthorized_client', `This application is not allowed the ${grant.type} grant (see its grant_types).`);
      }
      const outcome = await grant.exchange({ tenant, params, client: auth, origin: originOf(req), now });
      recordSuccess(services, req, grant, auth, outcome, now);
      ticket.settle(1);
      setRateHeaders(reply, ticket.status(), now);
      noStore(reply);
      return outcome.response;
    } catch (err) {
      ticket.settle(requestWeight(err));
      setRateHeaders(reply, ticket.status(), now);
      return fail(services, req, reply, err, grant, auth, now);
    }
  });
}

/**
 * What a refused request counts for: a failed client authentication is what a guessing run
 * (a stolen client_id, no key) produces, so it weighs more. A replayed assertion is not a
 * guess (its signature verified), so it weighs like any other refusal.
 */
function requestWeight(err: unknown): number {
  // Our own outage (a store unreachable) is not the caller's doing.
  if (err instanceof ServiceUnavailableError) return 0;
  return err instanceof ClientAuthError && err.code !== 'jti_replayed' ? FAILED_AUTHENTICATION_WEIGHT : 1;
}

function chooseGrant(services: Services, type: string | undefined): Grant {
  if (!type) throw new OAuthRequestError('invalid_request', 'grant_type is required.');
  const grant = services.grants.get(type);
  if (!grant) {
    throw new OAuthRequestError('unsupported_grant_type', `Grant type "${type.slice(0, 64)}" is not supported; use ${services.grants.types.join(', ')}.`);
  }
  return grant;
}

export function clientAuthInput(req: FastifyRequest, params: { client_id?: string; client_secret?: string; client_assertion?: string; client_assertion_type?: string }) {
  return {
    authorization: req.headers.authorization,
    clientId: params.client_id,
    clientSecret: params.client_secret,
    clientAssertion: params.client_assertion,
    clientAssertionType: params.client_assertion_type,
  };
}

export function originOf(req: FastifyRequest): RequestOrigin {
  return { ip: req.ip, userAgent: req.headers['user-agent'] ?? null, hostname: req.hostname };
}

function recordSuccess(services: Services, req: FastifyRequest, grant: Grant, auth: AuthenticatedClient, outcome: GrantOutcome, now: number): void {
  const { client } = auth.ctx;
  if (auth.assertion) services.usage.record(auth.assertion.credentialId, now);
  if (auth.assertion?.legacyAudience) services.legacyAudience.record(client.clientId, now);
  const { log } = outcome;
  services.metrics.tokenRequest({ result: 'success', grantType: grant.type, authMethod: auth.method, tenant: req.tenantCtx.tenant.name });
  services.store.logs.append({
    tenantId: req.tenantCtx.tenant.id,
    type: grant.logTypes.success,
    description: grant.logTypes.description,
    clientId: client.clientId,
    clientName: client.name,
    ...(log.userId !== undefined && { userId: log.userId, userName: log.userName ?? null }),
    ip: req.ip,
    userAgent: req.headers['user-agent'] ?? null,
    hostname: req.hostname,
    audience: log.audience,
    scope: log.scope,
    date: now,
    details: {
      ...log.details,
      auth_method: auth.method,
      ...(auth.assertion && {
        credential_id: auth.assertion.credentialId,
        kid: auth.assertion.kid,
        jti: auth.assertion.jti,
        ...(auth.assertion.legacyAudience && { legacy_audience: true }),
      }),
    },
  });
}

function noStore(reply: FastifyReply) {
  reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
}

function fail(services: Services, req: FastifyRequest, reply: FastifyReply, err: unknown, grant: Grant | undefined, auth: AuthenticatedClient | undefined, now: number) {
  const mapped = oauthErrorBody(err);
  if (!mapped) throw err;
  logTokenFailure(services, req, err, mapped.body, auth, now, grant);
  noStore(reply);
  retryAfter(reply, err);
  if (mapped.status === 401 && req.headers.authorization && /^basic /i.test(req.headers.authorization)) {
    reply.header('www-authenticate', 'Basic realm="signet"');
  }
  return reply.code(mapped.status).send(mapped.body);
}

/**
 * The failure event of a token request (the grant's type, e.g. `feccft`). Also called by the
 * app's error handler for failures before the handler runs (unparsable or oversized body,
 * repeated parameter).
 */
export function logTokenFailure(
  services: Services,
  req: FastifyRequest,
  err: unknown,
  body: OAuthErrorBody,
  auth?: AuthenticatedClient,
  now = services.clock(),
  grant?: Grant,
): void {
  const form = (req.body ?? {}) as TokenParams;
  const chosen = grant ?? (typeof form.grant_type === 'string' ? services.grants.get(form.grant_type) : undefined);
  const clientId = auth?.ctx.client.clientId ?? (err instanceof ClientAuthError ? err.clientId : undefined) ?? (typeof form.client_id === 'string' ? form.client_id : null);
  const authMethod = auth?.method ?? detectMethod(req);
  // Labels from Signet's own sets only: a grant_type nobody supports is `unsupported`, not its text.
  const grantType = chosen?.type ?? (typeof form.grant_type === 'string' ? 'unsupported' : 'missing');
  services.metrics.tokenRequest({ result: body.error, grantType, authMethod: authMethod ?? 'unknown', tenant: req.tenantCtx.tenant.name });
  services.store.logs.append({
    tenantId: req.tenantCtx.tenant.id,
    type: (err instanceof GrantError && err.logType) || (chosen?.logTypes.failure ?? FALLBACK_FAILURE_TYPE),
    description: err instanceof ClientAuthError ? 'Failed client authentication' : body.error_description,
    clientId,
    // Named only when the client exists on this tenant (it was read to authenticate it).
    clientName: auth?.ctx.client.name ?? (err instanceof ClientAuthError ? err.clientName : undefined) ?? null,
    ip: req.ip,
    userAgent: req.headers['user-agent'] ?? null,
    hostname: req.hostname,
    audience: typeof form.audience === 'string' ? form.audience : null,
    scope: typeof form.scope === 'string' ? form.scope : null,
    date: now,
    details: {
      error: body.error,
      reason: err instanceof GrantError ? err.reason : (err as { code?: string }).code,
      ...(err instanceof ClientAuthError ? { client_authentication_error: body.error_description } : { error_description: body.error_description }),
      // What the caller was not told (the client's credentials, plan or method): the tenant reads it here.
      ...(err instanceof ClientAuthError && err.detail !== undefined && { detail: err.detail }),
      audience: typeof form.audience === 'string' ? form.audience : null,
      auth_method: authMethod,
    },
  });
}

function detectMethod(req: FastifyRequest): string | null {
  const b = (req.body ?? {}) as TokenParams;
  if (b.client_assertion !== undefined) return 'private_key_jwt';
  if (req.headers.authorization) return 'client_secret_basic';
  if (b.client_secret !== undefined) return 'client_secret_post';
  return null;
}
