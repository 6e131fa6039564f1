import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Bindings, ChildLoggerOptions } from 'fastify/types/logger.js';
import { hostname } from 'node:os';
import type { Metrics } from '../services/metrics.ts';
import { batchedLines, type LineSink } from './batched-stdout.ts';

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

/** The logger's options for Fastify, and where request lines go (null when logging is off). */
export interface LogSetup {
  fastify: Partial<FastifyServerOptions>;
  requestLines: LineSink | null;
}

/**
 * Fastify's logger (pino, one JSON object per line) with Signet's request id, or none. Lines go
 * to the given stream, else to stdout in batches (batched-stdout.ts). Fastify's own request
 * lines are off: they carry the URL, whose query can hold codes, tokens or hints;
 * `registerRequestLog` writes one line per request instead, with a fixed set of fields.
 */
export function logSetup(log: LogOptions | false | undefined): LogSetup {
  const stream = log ? (log.stream ?? batchedLines()) : null;
  return {
    fastify: {
      genReqId: requestId,
      logController: new LogController({ disableRequestLogging: true }),
      childLoggerFactory: lazyChild,
      logger: log ? { level: log.level, stream: stream!, redact: { paths: REDACTED, censor: '[redacted]' } } : false,
    },
    requestLines: stream,
  };
}

type Logger = FastifyBaseLogger & { child(bindings: Bindings, opts?: ChildLoggerOptions): Logger };

/**
 * Each request's logger (`req.log`), made only when something logs through it. pino builds a
 * child eagerly, and with redaction on it runs the redaction over the child's bindings (its
 * request id): a sixth of the token path's allocation, for a logger almost no request uses.
 */
class LazyChildLogger {
  #real: Logger | undefined;
  constructor(
    private readonly parent: Logger,
    private readonly bindings: Bindings,
    private readonly opts: ChildLoggerOptions,
  ) {}
  private get real(): Logger {
    return (this.#real ??= this.parent.child(this.bindings, this.opts));
  }
  get level(): string {
    return this.#real?.level ?? this.parent.level;
  }
  set level(level: string) {
    this.real.level = level;
  }
  fatal(...args: unknown[]) {
    (this.real.fatal as (...a: unknown[]) => void)(...args);
  }
  error(...args: unknown[]) {
    (this.real.error as (...a: unknown[]) => void)(...args);
  }
  warn(...args: unknown[]) {
    (this.real.warn as (...a: unknown[]) => void)(...args);
  }
  info(...args: unknown[]) {
    (this.real.info as (...a: unknown[]) => void)(...args);
  }
  debug(...args: unknown[]) {
    (this.real.debug as (...a: unknown[]) => void)(...args);
  }
  trace(...args: unknown[]) {
    (this.real.trace as (...a: unknown[]) => void)(...args);
  }
  silent() {}
  child(bindings: Bindings, opts?: ChildLoggerOptions) {
    return this.real.child(bindings, opts);
  }
}

function lazyChild(parent: FastifyBaseLogger, bindings: Bindings, opts: ChildLoggerOptions): FastifyBaseLogger {
  return new LazyChildLogger(parent as Logger, bindings, opts) as unknown as FastifyBaseLogger;
}

/** pino's own fields, which every request line starts with too (what log shippers parse). */
const BASE = `"pid":${process.pid},"hostname":${JSON.stringify(hostname())}`;

/**
 * Per request: the X-Request-Id response header (first, so even a refusal before routing carries
 * it), then at the end one `request` log line — method, route template (never the URL), status,
 * duration, request id, remote address, host — and the latency histogram. Operational routes
 * (/healthz, /readyz, /metrics) are probed every few seconds and are left out of both.
 *
 * The line is written here rather than through pino, in pino's format: its fields are fixed and
 * carry no header or body, so the redaction pass pino runs on every object (18 paths, parsed
 * again on each call: a tenth of all allocation on the token path) has nothing to do for it.
 */
export function registerRequestLog(app: FastifyInstance, metrics: Metrics, lines: LineSink | null): void {
  const infoEnabled = () => (app.log as unknown as { isLevelEnabled(level: string): boolean }).isLevelEnabled('info');
  // Callback-style where nothing is awaited: an async hook costs a promise and a microtask per request.
  app.addHook('onRequest', (req, reply, done) => {
    reply.header(REQUEST_ID_HEADER, req.id);
    done();
  });
  app.addHook('onResponse', (req, reply, done) => {
    // done() last, so that a throw here reaches Fastify's hook runner rather than escaping it.
    if (req.routeOptions.config?.operational) return done();
    const route = req.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    metrics.httpRequest(req.method, route, reply.statusCode, seconds);
    if (!lines || !infoEnabled()) return done();
    lines.write(
      `{"level":30,"time":${Date.now()},${BASE},"reqId":${JSON.stringify(req.id)},"method":${JSON.stringify(req.method)},"route":${JSON.stringify(route)},` +
        `"status":${reply.statusCode},"duration_ms":${Math.round(reply.elapsedTime * 100) / 100},"remote_address":${JSON.stringify(req.ip ?? null)},` +
        `"host":${JSON.stringify((req.headers.host ?? '').slice(0, 255))},"msg":"request"}\n`,
    );
    done();
  });
}
