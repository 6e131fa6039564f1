import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';
import { registerStrictJsonBody } from '../json-body.ts';
import { tokenRoutes } from './token.ts';
import { discoveryRoutes } from './discovery.ts';
import { revokeRoutes } from './revoke.ts';
import { userinfoRoutes } from './userinfo.ts';
import { authorizeRoutes } from './authorize.ts';
import { loginRoutes } from './login.ts';
import { logoutRoutes } from './logout.ts';
import { parRoutes } from './par.ts';

/**
 * The Authentication API: every endpoint a tenant's applications and users talk to (token,
 * discovery and JWKS, and the sign-in endpoints), speaking RFC 6749 errors. One encapsulated
 * plugin, so its body parsers (JSON that refuses repeated parameters, as the form parser does)
 * never leak into the Management API or the dashboard.
 */
export async function authenticationApi(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { services } = opts;
  registerStrictJsonBody(app);
  tokenRoutes(app, services);
  revokeRoutes(app, services);
  userinfoRoutes(app, services);
  discoveryRoutes(app, services);
  authorizeRoutes(app, services);
  loginRoutes(app, services);
  logoutRoutes(app, services);
  parRoutes(app, services);
}
