import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../services.ts';
import { LOGIN_TRANSACTION_LIFETIME_MS } from '../../services/authorization.ts';

/**
 * The two cookies of browser sign-in, both host-only (no Domain: each tenant domain has its
 * own, so a session never crosses tenants), Path=/, HttpOnly, SameSite=Lax (sent on the
 * top-level navigation from an application to /authorize, never on cross-site subrequests)
 * and, over HTTPS, Secure with the `__Host-` prefix:
 * - the login session (single sign-on across the tenant's applications);
 * - the browser binding of login transactions (the login form's CSRF token is a MAC of it and
 *   the transaction, so a transaction can only be finished in the browser that began it).
 */
const isHttps = (services: Services) => services.config.publicUrl.protocol === 'https:' || services.config.tls !== undefined;
const SESSION = 'signet_sso';
const BROWSER = 'signet_tx';

const name = (services: Services, base: string) => (isHttps(services) ? `__Host-${base}` : base);

function cookie(services: Services, base: string, value: string, maxAgeSeconds: number): string {
  return `${name(services, base)}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${isHttps(services) ? '; Secure' : ''}`;
}

function read(req: FastifyRequest, cookieName: string): string | undefined {
  const header = req.headers.cookie;
  if (!header || header.length > 16384) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === cookieName) {
      const v = part.slice(i + 1).trim();
      // Values Signet sets are base64url; anything else was not set by Signet.
      return /^[A-Za-z0-9_-]{1,128}$/.test(v) ? v : undefined;
    }
  }
  return undefined;
}

export const sessionCookieOf = (req: FastifyRequest, services: Services) => read(req, name(services, SESSION));
export const browserCookieOf = (req: FastifyRequest, services: Services) => read(req, name(services, BROWSER));

export function setSessionCookie(reply: FastifyReply, services: Services, token: string, maxAgeSeconds: number): void {
  reply.header('set-cookie', cookie(services, SESSION, token, maxAgeSeconds));
}

export function clearSessionCookie(reply: FastifyReply, services: Services): void {
  reply.header('set-cookie', cookie(services, SESSION, '', 0));
}

export function setBrowserCookie(reply: FastifyReply, services: Services, token: string): void {
  reply.header('set-cookie', cookie(services, BROWSER, token, Math.floor(LOGIN_TRANSACTION_LIFETIME_MS / 1000)));
}
