import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { StoreObserver } from '../store/observed.ts';
import type { Store } from '../store/index.ts';

/** A counter's or histogram's child for fixed label values (prom-client's `labels(...)`). */
interface Bound {
  inc(): void;
  observe(v: number): void;
}

export interface MetricsOptions {
  /**
   * SIGNET_METRICS_TENANT_LABELS=1: token counts get a `tenant` label (the tenant's name). Off by
   * default: one series per tenant multiplies the scrape's size, and a shared scrape endpoint
   * would list every tenant's name.
   */
  tenantLabels: boolean;
}

/** Labels of one token request's outcome; every value comes from a bounded set Signet defines. */
export interface TokenOutcome {
  /** `success` or the OAuth error code answered (invalid_client, invalid_grant, ...). */
  result: string;
  /** A grant type Signet supports, `unsupported` or `missing`. */
  grantType: string;
  /** A client authentication method, or `unknown` when none could be told. */
  authMethod: string;
  /** The tenant's name: recorded only with `tenantLabels`. */
  tenant: string;
}

/**
 * Signet's Prometheus metrics, one registry per process (each `buildServices` gets its own, so
 * tests read a fresh one). Label values are never taken from a request as is: they come from
 * Signet's own routes, grant types, methods and error codes, so a client cannot grow the
 * number of series.
 */
export class Metrics implements StoreObserver {
  readonly registry = new Registry();
  readonly tenantLabels: boolean;
  private readonly tokenRequests: Counter<string>;
  private readonly httpDuration: Histogram<string>;
  private readonly replayRejections: Counter<string>;
  private readonly cacheHits: Counter<string>;
  private readonly cacheMisses: Counter<string>;
  private readonly cacheInvalidations: Counter<string>;
  private readonly storeDuration: Histogram<string>;
  private readonly storeErrors: Counter<string>;
  /**
   * Requests refused by a rate limit, by `scope` (what was counted: e.g. `client`, `address`,
   * `management_token`). The rate limiter increments it: `services.metrics.rateLimited.inc({ scope })`.
   */
  readonly rateLimited: Counter<'scope'>;
  /** Requests answered 503 because the process was overloaded (see src/services/admission.ts). */
  readonly shed: Counter;
  /**
   * Each series' bound child, by its label values: prom-client hashes a label object (sorting
   * its keys) on every unbound call, which the token path did several times per request.
   * Bounded like the series themselves: every label value comes from Signet's own sets.
   */
  private readonly children = new Map<object, Map<string, Bound>>();

  constructor(opts: MetricsOptions) {
    this.tenantLabels = opts.tenantLabels;
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.tokenRequests = new Counter({
      name: 'signet_token_requests_total',
      help: 'POST /oauth/token requests answered, by result (success or the OAuth error code), grant type and client authentication method.',
      labelNames: ['result', 'grant_type', 'auth_method', ...(opts.tenantLabels ? ['tenant'] : [])],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'signet_http_request_duration_seconds',
      help: 'Time to answer HTTP requests, by method, route template and status code (health, readiness and metrics routes excluded).',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.replayRejections = new Counter({
      name: 'signet_replay_rejections_total',
      help: 'Client assertions refused because their jti was already used (replays, or a client retrying with the same assertion).',
      registers,
    });
    this.cacheHits = new Counter({ name: 'signet_client_auth_cache_hits_total', help: 'Client authentication views served from the in-process cache.', registers });
    this.cacheMisses = new Counter({ name: 'signet_client_auth_cache_misses_total', help: 'Client authentication views loaded from the database (absent, expired or invalidated).', registers });
    this.cacheInvalidations = new Counter({
      name: 'signet_client_auth_cache_invalidations_total',
      help: 'Cached client views dropped because the client or its tenant changed (here or on another node).',
      registers,
    });
    this.storeDuration = new Histogram({
      name: 'signet_store_operation_duration_seconds',
      help: 'Time of database calls (all/get/run/exec; a transaction counts as one) and replay store operations.',
      labelNames: ['store', 'op'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.storeErrors = new Counter({
      name: 'signet_store_errors_total',
      help: 'Database calls and replay store operations that failed (unreachable, timed out, refused).',
      labelNames: ['store', 'op'],
      registers,
    });
    this.rateLimited = new Counter({ name: 'signet_rate_limited_total', help: 'Requests refused by a rate limit, by what was counted.', labelNames: ['scope'], registers });
    this.shed = new Counter({ name: 'signet_shed_total', help: 'Requests answered 503 because the process was overloaded.', registers });
  }

  tokenRequest(o: TokenOutcome): void {
    const key = `${o.result}\n${o.grantType}\n${o.authMethod}${this.tenantLabels ? `\n${o.tenant}` : ''}`;
    child(this.children, this.tokenRequests, key, () => ({
      result: o.result,
      grant_type: o.grantType,
      auth_method: o.authMethod,
      ...(this.tenantLabels && { tenant: o.tenant }),
    })).inc();
  }

  httpRequest(method: string, route: string, statusCode: number, seconds: number): void {
    child(this.children, this.httpDuration, `${method}\n${route}\n${statusCode}`, () => ({ method, route, status_code: String(statusCode) })).observe(seconds);
  }

  observe(store: 'database' | 'replay', op: string, seconds: number, failed: boolean): void {
    child(this.children, this.storeDuration, `${store}\n${op}`, () => ({ store, op })).observe(seconds);
    if (failed) this.storeErrors.inc({ store, op });
  }

  replayRejected(): void {
    this.replayRejections.inc();
  }

  /** What ClientAuthCache reports. */
  readonly cache = {
    hit: () => this.cacheHits.inc(),
    miss: () => this.cacheMisses.inc(),
    invalidated: (n = 1) => {
      if (n > 0) this.cacheInvalidations.inc(n);
    },
  };

  /** Gauges read from the open store at scrape time: the Redis connection and the PostgreSQL pool, when there are. */
  watch(store: Store): void {
    const registers = [this.registry];
    const { replay, db } = store;
    if (replay.connected) {
      new Gauge({
        name: 'signet_redis_connected',
        help: '1 when the connection to the Redis replay store is up, 0 while it is down (token requests with assertions then fail).',
        registers,
        collect() {
          this.set(replay.connected!() ? 1 : 0);
        },
      });
    }
    if (db.poolState) {
      new Gauge({
        name: 'signet_pg_pool_clients',
        help: 'PostgreSQL pool: open connections (total), idle ones, and queries waiting for a connection.',
        labelNames: ['state'],
        registers,
        collect() {
          const s = db.poolState!();
          this.set({ state: 'total' }, s.total);
          this.set({ state: 'idle' }, s.idle);
          this.set({ state: 'waiting' }, s.waiting);
        },
      });
    }
  }
}

/** The child of `metric` for one combination of label values (see Metrics.children), bound once. */
function child(cache: Map<object, Map<string, Bound>>, metric: Counter<string> | Histogram<string>, key: string, labels: () => Record<string, string>): Bound {
  let byKey = cache.get(metric);
  if (!byKey) cache.set(metric, (byKey = new Map()));
  let c = byKey.get(key);
  if (!c) byKey.set(key, (c = metric.labels(labels()) as unknown as Bound));
  return c;
}
