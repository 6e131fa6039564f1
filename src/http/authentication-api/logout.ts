import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../services.ts';
import { OAuthRequestError } from '../../domain/errors.ts';
import { isRegistered } from '../../domain/redirect-url.ts';
import { MAX_ID_TOKEN_HINT_LENGTH, verifyIdTokenHint } from '../../domain/id-token-hint.ts';
import type { AuthorizeClient } from '../../domain/authorize-request.ts';
import { sendErrorPage, sendPage } from './pages/layout.ts';
import { signedOutHtml } from './pages/login-page.ts';
import { clearSessionCookie, sessionCookieOf } from './sign-in-cookies.ts';
import { logEvent, pageErrorHandler } from './authorize.ts';

const str = (max: number) => ({ type: 'string', maxLength: max });
const oidcLogoutParams = {
  type: 'object',
  maxProperties: 20,
  properties: {
    id_token_hint: str(MAX_ID_TOKEN_HINT_LENGTH),
    client_id: str(128),
    post_logout_redirect_uri: str(2048),
    state: str(2048),
    logout_hint: str(128),
    ui_locales: str(128),
    federated: str(16),
  },
  additionalProperties: str(2048),
} as const;
const v2LogoutParams = {
  type: 'object',
  maxProperties: 20,
  properties: { returnTo: str(2048), client_id: str(128), federated: str(16) },
  additionalProperties: str(2048),
} as const;

type Params = Record<string, string | undefined>;

const tenantName = (req: FastifyRequest) => {
  const f = req.tenantCtx.tenant.settings.extras?.friendly_name;
  return typeof f === 'string' && f ? f : req.tenantCtx.tenant.name;
};

const errorHandler = (err: Parameters<typeof pageErrorHandler>[0], req: FastifyRequest, reply: FastifyReply) =>
  err instanceof OAuthRequestError ? sendErrorPage(reply, 400, 'Invalid request', err.message) : pageErrorHandler(err, req, reply);

/**
 * Logout: GET/POST /oidc/logout (OpenID Connect RP-Initiated Logout 1.0) and GET /v2/logout
 * (Auth0's). Both end the browser's login session (row and cookie) and write `slo`. The return
 * URL must be one of the application's Allowed Logout URLs when an application is named (by
 * client_id or the id_token_hint's audience), else one of the tenant's; any other URL is never
 * followed: the user sees a signed-out page instead (no open redirect).
 */
export function logoutRoutes(app: FastifyInstance, services: Services): void {
  const oidc = async (req: FastifyRequest, reply: FastifyReply, p: Params) => {
    const tenant = req.tenantCtx;
    let clientId = p.client_id;
    let hintSub: string | undefined;
    if (p.id_token_hint !== undefined) {
      const keys = await services.directory.verificationKeys(tenant.tenant);
      const hint = verifyIdTokenHint(p.id_token_hint, { keys, issuers: [...new Set([tenant.issuer, tenant.primaryIssuer])] });
      if (!hint) return sendErrorPage(reply, 400, 'Invalid logout request', 'The id_token_hint is not an ID token issued by this tenant.');
      if (clientId !== undefined && !hint.aud.includes(clientId)) {
        return sendErrorPage(reply, 400, 'Invalid logout request', 'The client_id does not match the audience of the id_token_hint.');
      }
      clientId ??= hint.aud[0];
      hintSub = hint.sub;
    }
    return finish(req, reply, clientId, p.post_logout_redirect_uri, p.state, hintSub);
  };

  app.get<{ Querystring: Params }>('/oidc/logout', { schema: { querystring: oidcLogoutParams }, errorHandler }, (req, reply) => oidc(req, reply, req.query));
  app.post<{ Body: Params }>('/oidc/logout', { schema: { body: oidcLogoutParams }, bodyLimit: 16 * 1024, errorHandler }, (req, reply) => oidc(req, reply, req.body ?? {}));
  app.get<{ Querystring: Params }>('/v2/logout', { schema: { querystring: v2LogoutParams }, errorHandler }, (req, reply) =>
    finish(req, reply, req.query.client_id, req.query.returnTo, undefined, undefined),
  );

  async function finish(req: FastifyRequest, reply: FastifyReply, clientId: string | undefined, returnTo: string | undefined, state: string | undefined, hintSub: string | undefined) {
    const now = services.clock();
    const tenant = req.tenantCtx;
    let client: AuthorizeClient | undefined;
    if (clientId !== undefined) {
      client = await services.authorization.client(tenant.tenant.id, clientId);
      if (!client) return sendErrorPage(reply, 400, 'Invalid logout request', `There is no application with the client_id "${clientId}" on this tenant.`);
    }
    const session = await services.authorization.endSession(tenant.tenant.id, sessionCookieOf(req, services), now);
    clearSessionCookie(reply, services);
    const allowList = client ? client.extras.allowed_logout_urls : tenant.tenant.settings.extras?.allowed_logout_urls;
    const allowed = returnTo !== undefined && isRegistered(allowList, returnTo);
    logEvent(services, req, 'slo', 'User successfully logged out', client, session?.userId ?? hintSub ?? null, now, {
      ...(session && { sid: session.sid }),
      ...(returnTo !== undefined && { return_to: returnTo, return_to_allowed: allowed }),
    });
    reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
    if (returnTo === undefined) return sendPage(reply, 200, signedOutHtml(tenantName(req)));
    if (!allowed) {
      const where = client ? `the Allowed Logout URLs of the application "${client.name}"` : "the tenant's Allowed Logout URLs";
      return sendPage(reply, 200, signedOutHtml(tenantName(req), `You were not sent back to the application: the return address is not one of ${where}.`));
    }
    const url = new URL(returnTo);
    if (state !== undefined) url.searchParams.append('state', state);
    return reply.redirect(url.href, 302);
  }
}
