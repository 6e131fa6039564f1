import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Metrics } from '../services/metrics.ts';

/** A log level and, for tests, where the JSON lines go (stdout otherwise). */
export interface LogOptions {
  level: string;
  stream?: { write(line: string): void };
}

export const REQUEST_ID_HEADER = 'x-request-id';
/** An incoming X-Request-Id is kept only if it is this: short, and nothing a log reader could mistake for structure. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The request's id: the caller's X-Request-Id when it is sane (so a proxy's or client's id can be
 * followed through Signet's logs), a fresh UUID otherwise (absent, repeated, too long, odd characters).
 */
export function requestId(req: IncomingMessage): string {
  const given = req.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && given.length <= 128 && SANE_REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * Paths pino blanks wherever they appear in a logged object. Request lines are built field by
 * field below and never carry these; this covers anything else that logs a request, a header
 * set or a parsed body (an error's context, a plugin).
 */
const REDACTED = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'res.headers["set-cookie"]',
  '*.authorization',
  '*.cookie',
  '*.client_secret',
  '*.client_assertion',
  '*.assertion',
  '*.password',
  '*.access_token',
  '*.refresh_token',
  '*.id_token',
  '*.subject_token',
  '*.code_verifier',
  'body',
  '*.body',
];

/**
 * Fastify's logger (pino, one JSON object per line) with Signet's request id, or none. Fastify's
 * own request lines are off: they carry the URL, whose query can hold codes, tokens or hints;
 * `registerRequestLog` writes one line per request instead, with a fixed set of fields.
 */
export function loggerOptions(log: LogOptions | false | undefined): Partial<FastifyServerOptions> {
  return {
    genReqId: requestId,
    logController: new LogController({ disableRequestLogging: true }),
    logger: log ? { level: log.level, ...(log.stream && { stream: log.stream }), redact: { paths: REDACTED, censor: '[redacted]' } } : false,
  };
}

/**
 * Per request: the X-Request-Id response header (first, so even a refusal before routing carries
 * it), then at the end one `request` log line — method, route template (never the URL), status,
 * duration, request id, remote address, host — and the latency histogram. Operational routes
 * (/healthz, /readyz, /metrics) are probed every few seconds and are left out of both.
 */
export function registerRequestLog(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onRequest', async (req, reply) => {
    reply.header(REQUEST_ID_HEADER, req.id);
  });
  app.addHook('onResponse', async (req, reply) => {
    if (req.routeOptions.config?.operational) return;
    const route = req.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    metrics.httpRequest(req.method, route, reply.statusCode, seconds);
    req.log.info(
      {
        method: req.method,
        route,
        status: reply.statusCode,
        duration_ms: Math.round(reply.elapsedTime * 100) / 100,
        remote_address: req.ip,
        host: (req.headers.host ?? '').slice(0, 255),
      },
      'request',
    );
  });
}
