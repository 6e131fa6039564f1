import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../services.ts';
import {
  AUTHORIZE_PARAM_LIMITS,
  AuthorizeError,
  MAX_AUTHORIZE_PARAMS,
  needsLogin,
  OTHER_PARAM_LIMIT,
  readResponseMode,
  type AuthorizationRequest,
  type AuthorizeClient,
} from '../../domain/authorize-request.ts';
import { newOpaqueToken } from '../../domain/opaque-token.ts';
import { ServiceUnavailableError } from '../../domain/errors.ts';
import { retryAfter } from '../errors.ts';
import { sendErrorPage } from './pages/layout.ts';
import { sendAuthorizationResponse, sendCode } from './authorization-response.ts';
import { browserCookieOf, sessionCookieOf, setBrowserCookie } from './sign-in-cookies.ts';
import { PAR_URN_PREFIX } from './par.ts';

/** Every parameter a string (a repeated one arrives as an array and is refused), each bounded. */
const authorizeQuery = {
  type: 'object',
  maxProperties: MAX_AUTHORIZE_PARAMS,
  properties: Object.fromEntries(Object.entries(AUTHORIZE_PARAM_LIMITS).map(([k, max]) => [k, { type: 'string', maxLength: max }])),
  additionalProperties: { type: 'string', maxLength: OTHER_PARAM_LIMIT },
} as const;

const resumeQuery = {
  type: 'object',
  properties: { state: { type: 'string', maxLength: 64 } },
  required: ['state'],
  additionalProperties: false,
} as const;

/**
 * A malformed request (a repeated or oversized parameter) is shown, never redirected: nothing
 * about it can be trusted yet, the redirect_uri included.
 */
export function pageErrorHandler(err: FastifyError, _req: FastifyRequest, reply: FastifyReply) {
  if (err.validation) {
    const v = err.validation[0];
    const param = (v?.instancePath ?? '').replace(/^\//, '') || String((v?.params as { missingProperty?: string })?.missingProperty ?? '');
    const why =
      v?.keyword === 'maxLength' ? `The parameter "${param.slice(0, 40)}" is too long.`
      : v?.keyword === 'type' ? `The parameter "${param.slice(0, 40)}" appears more than once.`
      : v?.keyword === 'maxProperties' ? 'The request has too many parameters.'
      : v?.keyword === 'required' ? `The parameter "${param.slice(0, 40)}" is missing.`
      : `The request is malformed: ${err.message.slice(0, 200)}`;
    return sendErrorPage(reply, 400, 'Invalid request', why);
  }
  if (err.statusCode === 413 || err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendErrorPage(reply, 413, 'Invalid request', 'The request is too large.');
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) return sendErrorPage(reply, 400, 'Invalid request', err.message.slice(0, 300));
  if (err instanceof ServiceUnavailableError) {
    retryAfter(reply, err);
    return sendErrorPage(reply, 503, 'Temporarily unavailable', err.message);
  }
  reply.log.error({ err }, 'sign-in page error');
  return sendErrorPage(reply, 500, 'Something went wrong', 'The request could not be completed. Try again later.');
}

/**
 * GET /authorize (authorization code flow, RFC 6749 §4.1, PKCE, OIDC Core §3.1.2) and GET
 * /authorize/resume (where the login page sends the browser once the user signed in).
 */
export function authorizeRoutes(app: FastifyInstance, services: Services): void {
  app.get<{ Querystring: Record<string, string> }>('/authorize', { schema: { querystring: authorizeQuery }, errorHandler: pageErrorHandler }, async (req, reply) => {
    const now = services.clock();
    const tenant = req.tenantCtx;
    let params = req.query;
    let client: AuthorizeClient | undefined;
    try {
      const pushed = params.request_uri !== undefined;
      if (pushed) params = await pushedParams(services, req, params, now);
      const v = await services.authorization.validate(tenant, params, { pushed });
      client = v.client;
      const request = v.request;

      const sessionToken = sessionCookieOf(req, services);
      const session = await services.authorization.session(tenant.tenant.id, sessionToken, now);
      if (session && sessionToken && !needsLogin(request, session.authTime, now)) {
        if (request.prompt === 'none') logEvent(services, req, 'ssa', 'Successful silent authentication', client, session.userId, now, { sid: session.sid });
        return await sendCode(services, req, reply, request, session, sessionToken, now);
      }
      if (request.prompt === 'none') {
        throw new AuthorizeError('login_required', session ? 'The session is older than max_age allows: the user must sign in again.' : 'The user is not signed in.', true);
      }
      const browser = browserCookieOf(req, services) ?? newOpaqueToken();
      const txnId = await services.authorization.beginTransaction(tenant.tenant.id, request, browser, now);
      setBrowserCookie(reply, services, browser);
      reply.header('cache-control', 'no-store');
      return reply.redirect(`/u/login?state=${encodeURIComponent(txnId)}`, 302);
    } catch (err) {
      if (!(err instanceof AuthorizeError)) throw err;
      if (err.error === 'login_required') logEvent(services, req, 'fsa', 'Failed silent authentication', client, null, now, { error: err.error, reason: err.message });
      if (!err.redirectable) return sendErrorPage(reply, 400, 'Invalid authorization request', err.message);
      return sendAuthorizationResponse(
        reply,
        { redirectUri: params.redirect_uri!, responseMode: readResponseMode(params), state: params.state ?? null },
        tenant.issuer,
        { error: err.error, error_description: descriptionChars(err.message) },
      );
    }
  });

  app.get<{ Querystring: { state: string } }>('/authorize/resume', { schema: { querystring: resumeQuery }, errorHandler: pageErrorHandler }, async (req, reply) => {
    const now = services.clock();
    const tenantId = req.tenantCtx.tenant.id;
    const found = await services.authorization.transaction(tenantId, req.query.state, browserCookieOf(req, services), now);
    if (!found) return sendErrorPage(reply, 400, 'Sign-in expired', 'This sign-in has expired or was started in another browser. Go back to the application and sign in again.');
    const sessionToken = sessionCookieOf(req, services);
    const session = await services.authorization.session(tenantId, sessionToken, now);
    if (!session || !sessionToken || session.sid !== found.txn.authenticatedSid) {
      return reply.header('cache-control', 'no-store').redirect(`/u/login?state=${encodeURIComponent(found.txn.id)}`, 303);
    }
    // One code per transaction, however often the browser reloads this URL.
    if (!(await services.authorization.finishTransaction(tenantId, found.txn.id))) {
      return sendErrorPage(reply, 400, 'Sign-in already completed', 'This sign-in was already completed. Go back to the application.');
    }
    return sendCode(services, req, reply, found.request, session, sessionToken, now);
  });
}

/** RFC 9126 §4: a request_uri from /oauth/par replaces every other parameter (client_id must name the same client). */
async function pushedParams(services: Services, req: FastifyRequest, params: Record<string, string>, now: number): Promise<Record<string, string>> {
  const uri = params.request_uri!;
  if (!params.client_id) throw new AuthorizeError('invalid_request', 'client_id is required with request_uri.', false);
  if (!uri.startsWith(PAR_URN_PREFIX)) throw new AuthorizeError('invalid_request_uri', `request_uri must be one returned by /oauth/par (${PAR_URN_PREFIX}…).`, false);
  const stored = await services.authorization.takePushedRequest(req.tenantCtx.tenant.id, params.client_id, uri.slice(PAR_URN_PREFIX.length), now);
  if (!stored) throw new AuthorizeError('invalid_request_uri', 'The request_uri is unknown, expired, already used, or was pushed by another application.', false);
  return { ...stored, client_id: params.client_id };
}

/** RFC 6749 §4.1.2.1: error_description is limited to %x20-21 / %x23-5B / %x5D-7E. */
export function descriptionChars(s: string): string {
  return s.replace(/"/g, "'").replace(/\\/g, '/').replace(/[^\x20-\x7E]/g, '?').slice(0, 500);
}

export function logEvent(
  services: Services,
  req: FastifyRequest,
  type: string,
  description: string,
  client: { clientId: string; name: string } | undefined,
  user: string | null,
  now: number,
  details: Record<string, unknown> = {},
  userName: string | null = null,
): void {
  services.store.logs.append({
    tenantId: req.tenantCtx.tenant.id,
    type,
    description,
    clientId: client?.clientId ?? null,
    clientName: client?.name ?? null,
    ip: req.ip,
    userAgent: req.headers['user-agent'] ?? null,
    hostname: req.hostname,
    userId: user,
    userName,
    date: now,
    details,
  });
}

export type { AuthorizationRequest };
