import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../services.ts';
import type { Admin } from '../../store/index.ts';
import { ForbiddenError, UnauthorizedError } from '../../domain/errors.ts';
import { SESSION_TTL_MS } from '../../services/admin-auth.ts';

/**
 * The dashboard session cookie: HttpOnly (script cannot read it), SameSite=Strict (no other
 * site's page sends it), Path=/ and, when Signet is served over HTTPS, Secure with the
 * `__Host-` prefix (the browser then refuses it from plain HTTP or with a Domain attribute).
 */
export function cookieName(services: Services): string {
  return isHttps(services) ? '__Host-signet_session' : 'signet_session';
}

const isHttps = (services: Services) => services.config.publicUrl.protocol === 'https:' || services.config.tls !== undefined;

export function setSessionCookie(reply: FastifyReply, services: Services, token: string): void {
  const secure = isHttps(services) ? '; Secure' : '';
  reply.header('set-cookie', `${cookieName(services)}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_TTL_MS / 1000}${secure}`);
}

export function clearSessionCookie(reply: FastifyReply, services: Services): void {
  const secure = isHttps(services) ? '; Secure' : '';
  reply.header('set-cookie', `${cookieName(services)}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure}`);
}

export function sessionTokenOf(req: FastifyRequest, services: Services): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  const name = cookieName(services);
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

/** Whether a Host header names Signet's public URL, the only origin that serves the dashboard and accepts its session. */
export function isConsoleHost(host: string | undefined, services: Services): boolean {
  return host !== undefined && host.toLowerCase() === services.config.publicUrl.host;
}

export const CSRF_HEADER = 'x-csrf-token';

/**
 * The signed-in admin behind this request, or a 401. With `csrf`, the request must also carry
 * the session's CSRF token in `x-csrf-token`: a header a cross-site form or image cannot set
 * and a cross-site script cannot read, so state changes can only come from the dashboard.
 */
export async function requireAdmin(req: FastifyRequest, services: Services, opts: { csrf: boolean }): Promise<{ admin: Admin; token: string; csrfToken: string }> {
  const token = sessionTokenOf(req, services);
  const session = token ? await services.admins.session(token, Date.now()) : undefined;
  if (!token || !session) throw new UnauthorizedError('not_signed_in', 'Not signed in to the dashboard, or the session has ended.');
  if (opts.csrf && !services.admins.csrfMatches(token, req.headers[CSRF_HEADER])) {
    throw new ForbiddenError('csrf_token_invalid', `Missing or invalid ${CSRF_HEADER} header: requests with a dashboard session must send the session's CSRF token.`);
  }
  return { admin: session.admin, token, csrfToken: session.csrfToken };
}
