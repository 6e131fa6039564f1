import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Services } from '../services.ts';
import { managementErrorBody, retryAfter } from '../errors.ts';
import { sessionRoutes } from './session-routes.ts';
import { loadDashboardFiles } from './static-files.ts';
import { isConsoleHost } from './session-cookie.ts';

/**
 * Everything a browser page may load comes from this origin, no inline script or style, and
 * the page cannot be framed: with user-controlled names on every screen, this is the second
 * wall behind React's escaping.
 */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

function securityHeaders(reply: FastifyReply): void {
  reply
    .header('content-security-policy', CSP)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer')
    .header('cross-origin-opener-policy', 'same-origin');
}

/**
 * /dashboard: the built web UI (one HTML page, History API routes) and its session endpoints
 * under /dashboard/api. Data goes through /api/v2 with the session; nothing else here reads
 * or writes tenant data.
 */
export async function dashboard(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { services } = opts;
  const files = loadDashboardFiles();

  // The console lives at one origin, Signet's public URL: never on tenants' domains (custom
  // domains are customers' brands, and a platform sign-in page does not belong there).
  app.addHook('onRequest', async (req, reply) => {
    if (!isConsoleHost(req.headers.host, services)) {
      return reply.code(404).type('text/plain; charset=utf-8').send(`The dashboard is served at ${new URL('/dashboard/', services.config.publicUrl).href}`);
    }
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    securityHeaders(reply);
    return payload;
  });
  app.setErrorHandler((err, req, reply) => {
    const body = managementErrorBody(err);
    if (!body) {
      req.log.error({ err }, 'dashboard error');
      return reply.code(500).send({ statusCode: 500, error: 'Internal Server Error', message: 'Internal error.', errorCode: 'internal_error' });
    }
    retryAfter(reply, err);
    return reply.code(body.statusCode).header('cache-control', 'no-store').send(body);
  });

  sessionRoutes(app, services);
  app.all('/api/*', async (req, reply) =>
    reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `No dashboard route ${req.method} ${req.url.split('?')[0]}.`, errorCode: 'not_found' }),
  );

  app.get('/*', async (req, reply) => {
    if (!files) {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The dashboard is not built. Run `npm run build` (npm install does it), then restart Signet.');
    }
    let path: string;
    try {
      path = decodeURIComponent(req.url.split('?')[0]!.replace(/^\/dashboard\/?/, ''));
    } catch {
      return reply.code(404).type('text/plain').send('Not found.');
    }
    const file = files.get(path);
    if (file) {
      return reply
        .type(file.type)
        .header('cache-control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
        .send(file.body);
    }
    // A missing asset is a 404; any other path is a page of the single-page app.
    if (path.startsWith('assets/') || /\.[a-z0-9]+$/i.test(path)) return reply.code(404).type('text/plain').send('Not found.');
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(files.get('index.html')!.body);
  });
}
