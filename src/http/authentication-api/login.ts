import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../services.ts';
import { OAuthRequestError, RateLimitedError } from '../../domain/errors.ts';
import type { AuthorizeClient } from '../../domain/authorize-request.ts';
import type { TenantContext } from '../../services/tenant-directory.ts';
import { sendErrorPage, sendPage } from './pages/layout.ts';
import { loginPageHtml } from './pages/login-page.ts';
import { browserCookieOf, sessionCookieOf, setSessionCookie } from './sign-in-cookies.ts';
import { logEvent, pageErrorHandler } from './authorize.ts';
import { signInUser, UserSignInRefused } from './user-sign-in.ts';

const loginQuery = {
  type: 'object',
  properties: { state: { type: 'string', maxLength: 64 } },
  required: ['state'],
  additionalProperties: false,
} as const;

const loginBody = {
  type: 'object',
  properties: {
    state: { type: 'string', maxLength: 64 },
    csrf: { type: 'string', maxLength: 64 },
    email: { type: 'string', maxLength: 320 },
    password: { type: 'string', maxLength: 1024 },
  },
  required: ['state'],
  additionalProperties: false,
} as const;

interface LoginBody {
  state: string;
  csrf?: string;
  email?: string;
  password?: string;
}

const EXPIRED = 'This sign-in has expired or was started in another browser. Go back to the application and sign in again.';
/** One message for an unknown email and a wrong password: the page must not tell which accounts exist. */
export const WRONG_CREDENTIALS = 'Wrong email or password.';
export const BLOCKED = 'This account is blocked. Contact the administrator of the application.';

const tenantName = (t: TenantContext) => {
  const friendly = t.tenant.settings.extras?.friendly_name;
  return typeof friendly === 'string' && friendly ? friendly : t.tenant.name;
};

/**
 * The hosted login page of a tenant: GET shows the form for a login transaction begun by
 * /authorize; POST checks the CSRF token (a MAC of the transaction and this browser's cookie),
 * the password through the user directory, opens the login session and answers 303 to
 * /authorize/resume. Every attempt writes a log event: `s`, or `fu`/`fp`/`f` with the reason.
 */
export function loginRoutes(app: FastifyInstance, services: Services): void {
  app.get<{ Querystring: { state: string } }>('/u/login', { schema: { querystring: loginQuery }, errorHandler: pageErrorHandler }, async (req, reply) => {
    const now = services.clock();
    const browser = browserCookieOf(req, services);
    const found = await services.authorization.transaction(req.tenantCtx.tenant.id, req.query.state, browser, now);
    if (!found || !browser) return sendErrorPage(reply, 400, 'Sign-in expired', EXPIRED);
    const client = await services.authorization.client(req.tenantCtx.tenant.id, found.txn.clientId);
    if (!client) return sendErrorPage(reply, 400, 'Sign-in expired', EXPIRED);
    const txn = { id: found.txn.id, redirectUri: found.request.redirectUri };
    return page(reply, 200, req, client, txn, services.authorization.csrfToken(found.txn.id, browser), found.request.loginHint ?? '');
  });

  app.post<{ Body: LoginBody }>(
    '/u/login',
    {
      schema: { body: loginBody },
      bodyLimit: 16 * 1024,
      errorHandler: (err, req, reply) => (err instanceof OAuthRequestError ? sendErrorPage(reply, 400, 'Invalid request', err.message) : pageErrorHandler(err, req, reply)),
    },
    async (req, reply) => {
      const now = services.clock();
      const tenant = req.tenantCtx;
      const body = req.body;
      const browser = browserCookieOf(req, services);
      const found = await services.authorization.transaction(tenant.tenant.id, body.state, browser, now);
      if (!found || !browser) return sendErrorPage(reply, 400, 'Sign-in expired', EXPIRED);
      if (!services.authorization.csrfMatches(found.txn.id, browser, body.csrf)) {
        return sendErrorPage(reply, 403, 'Form not accepted', 'The sign-in form could not be verified (its security token is missing or wrong). Go back to the application and sign in again.');
      }
      const client = await services.authorization.client(tenant.tenant.id, found.txn.clientId);
      if (!client) return sendErrorPage(reply, 400, 'Sign-in expired', EXPIRED);
      const txn = { id: found.txn.id, redirectUri: found.request.redirectUri };
      const csrf = body.csrf!;
      const email = (body.email ?? '').trim();
      const password = body.password ?? '';
      if (!email || !password) return page(reply, 400, req, client, txn, csrf, email, 'Enter your email and password.');

      let user: { userId: string; email: string };
      try {
        user = await signInUser(services, tenant.tenant.id, email, password, { ip: req.ip, userAgent: req.headers['user-agent'] ?? null });
      } catch (err) {
        if (err instanceof RateLimitedError) {
          logEvent(services, req, 'f', 'Too many sign-in attempts', client, null, now, { reason: 'too_many_attempts', retry_after: err.retryAfterSeconds }, email);
          reply.header('retry-after', String(err.retryAfterSeconds));
          return page(reply, 429, req, client, txn, csrf, email, `Too many sign-in attempts. Wait ${waitText(err.retryAfterSeconds)} and try again.`);
        }
        if (!(err instanceof UserSignInRefused)) throw err;
        if (err.reason === 'blocked') {
          logEvent(services, req, 'f', 'user is blocked', client, err.userId ?? null, now, { reason: 'blocked' }, email);
          return page(reply, 403, req, client, txn, csrf, email, BLOCKED);
        }
        const unknown = err.reason === 'unknown_user';
        logEvent(services, req, unknown ? 'fu' : 'fp', WRONG_CREDENTIALS, client, err.userId ?? null, now, { reason: err.reason }, email);
        return page(reply, 401, req, client, txn, csrf, email, WRONG_CREDENTIALS);
      }

      const started = await services.authorization.startSession(tenant, user.userId, sessionCookieOf(req, services), now);
      setSessionCookie(reply, services, started.token, started.maxAgeSeconds);
      await services.authorization.markAuthenticated(tenant.tenant.id, found.txn.id, started.session.sid);
      logEvent(services, req, 's', 'Successful login', client, user.userId, now, { sid: started.session.sid, prompt: found.request.prompt, max_age: found.request.maxAge }, user.email);
      // 303: the browser follows with a GET and never re-posts the password (RFC 9700 §4.12).
      return reply.header('cache-control', 'no-store').redirect(`/authorize/resume?state=${encodeURIComponent(found.txn.id)}`, 303);
    },
  );
}

/**
 * The form posts to this page's origin, whose answer redirects (303, then 302) to the
 * application's callback: browsers check form-action against every URL of that redirect
 * chain, so the callback's origin (and only it) is allowed too.
 */
function page(reply: FastifyReply, status: number, req: FastifyRequest, client: AuthorizeClient, txn: { id: string; redirectUri: string }, csrf: string, email: string, error?: string) {
  return sendPage(reply, status, loginPageHtml({ tenantName: tenantName(req.tenantCtx), appName: client.name, state: txn.id, csrf, email, error }), {
    formTargets: [new URL(txn.redirectUri).origin],
  });
}

function waitText(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, seconds)} second${seconds === 1 ? '' : 's'}`;
  const m = Math.ceil(seconds / 60);
  return `${m} minute${m === 1 ? '' : 's'}`;
}
