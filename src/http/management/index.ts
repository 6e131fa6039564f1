import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';
import { registerManagementAuth } from './auth.ts';
import { managementErrorBody, retryAfter } from '../errors.ts';
import { clientRoutes } from './clients.ts';
import { credentialRoutes } from './credentials.ts';
import { apiRoutes } from './apis.ts';
import { logRoutes } from './logs.ts';
import { tenantSettingsRoutes } from './tenant-settings.ts';
import { checkAssertionRoutes } from './check-assertion.ts';
import { signingKeyRoutes } from './signing-keys.ts';
import { userRoutes } from './users.ts';

/** The Management API v2 subset, as an encapsulated plugin under /api/v2 with its own auth and error shape. */
export async function managementApi(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { services } = opts;
  app.setErrorHandler((err, req, reply) => {
    const body = managementErrorBody(err);
    if (!body) {
      req.log.error({ err }, 'management API error');
      return reply.code(500).send({ statusCode: 500, error: 'Internal Server Error', message: 'Internal error.', errorCode: 'internal_error' });
    }
    retryAfter(reply, err);
    return reply.code(body.statusCode).send(body);
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `No Management API route ${req.method} ${req.url.split('?')[0]}.`, errorCode: 'not_found' }),
  );
  registerManagementAuth(app, services);
  clientRoutes(app, services);
  credentialRoutes(app, services);
  apiRoutes(app, services);
  logRoutes(app, services);
  tenantSettingsRoutes(app, services);
  checkAssertionRoutes(app, services);
  signingKeyRoutes(app, services);
  userRoutes(app, services);
}
