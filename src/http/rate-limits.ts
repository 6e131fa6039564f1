import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from './services.ts';
import type { TenantSettings } from '../domain/tenant-settings.ts';
import { rateLimitHeaders, retryAfterSeconds, type RateStatus } from '../domain/rate-limit.ts';
import { addressKey } from '../domain/address-key.ts';
import type { LimitKind, LimitSubject, Refusal } from '../services/rate-limiter.ts';

/**
 * The rate limits' HTTP side: which keys a request is counted under, the X-RateLimit-* and
 * Retry-After headers Auth0 sends (on every response of a limited route, not only on 429s),
 * and the `limit_*` log event of a refusal, written at most once per key per window.
 */

/** /oauth/token: the client it claims to be (when it names one) and its source address. */
export function tokenSubjects(tenantId: string, settings: TenantSettings, clientId: string | undefined, ip: string): LimitSubject[] {
  const windowMs = settings.rate_limit_window * 1000;
  const subjects: LimitSubject[] = [{ kind: 'address', tenantId, id: addressKey(ip), rule: { limit: settings.token_rate_limit_per_address, windowMs } }];
  if (clientId !== undefined) subjects.push({ kind: 'client', tenantId, id: clientId, rule: { limit: settings.token_rate_limit_per_client, windowMs } });
  return subjects;
}

/** /api/v2: one access token (its `jti`, or a digest of it) or one dashboard admin. */
export function managementSubject(tenantId: string, settings: TenantSettings, id: string): LimitSubject {
  return { kind: 'token', tenantId, id, rule: { limit: settings.management_rate_limit_per_token, windowMs: settings.rate_limit_window * 1000 } };
}

export function setRateHeaders(reply: FastifyReply, status: RateStatus | undefined, now: number, refused = false): void {
  if (!status) return;
  reply.headers(rateLimitHeaders(status));
  if (refused) reply.header('retry-after', String(retryAfterSeconds(status.resetAt, now)));
}

/** Auth0's log types: limit_wc (too many attempts for one account), limit_mu (an address blocked), api_limit (Management API). */
const LOG_TYPES: Record<LimitKind, string> = { client: 'limit_wc', address: 'limit_mu', token: 'api_limit' };
const WHO: Record<LimitKind, string> = { client: 'this client', address: 'this address', token: 'this token' };

/** What the caller is told: which limit, and when to come back. */
export function refusalMessage(r: Refusal, now: number): string {
  const s = r.subject;
  return `Too many requests from ${WHO[s.kind]}: at most ${s.rule.limit} per ${s.rule.windowMs / 1000} seconds. Try again in ${retryAfterSeconds(r.status.resetAt, now)} seconds.`;
}

/**
 * The refusal's log event, once per key per window per process (a flood of refusals writes one
 * row, not one per request). Every refusal is counted in signet_rate_limited_total{scope}.
 */
export function logRefusal(services: Services, req: FastifyRequest, r: Refusal, now: number, clientId: string | null): void {
  services.metrics.rateLimited.inc({ scope: r.subject.kind });
  if (!r.firstInWindow) return;
  const s = r.subject;
  services.store.logs.append({
    tenantId: s.tenantId,
    type: LOG_TYPES[s.kind],
    description: `Rate limit exceeded: more than ${s.rule.limit} requests in ${s.rule.windowMs / 1000} seconds from ${WHO[s.kind]}`,
    clientId,
    ip: req.ip,
    userAgent: req.headers['user-agent'] ?? null,
    hostname: req.hostname,
    date: now,
    details: {
      limit: s.rule.limit,
      window_seconds: s.rule.windowMs / 1000,
      reset_at: new Date(r.status.resetAt).toISOString(),
      limited_by: s.kind,
      path: req.routeOptions.url ?? null,
    },
  });
}
