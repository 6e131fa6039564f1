import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Agent, fetch as undiciFetch, type RequestInit } from 'undici';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../src/config.ts';
import { buildServices, type Services } from '../../src/services/index.ts';
import { buildApp } from '../../src/http/app.ts';
import { createTenant, ensureDefaultTenant, type CreatedTenant } from '../../src/services/tenants.ts';
import { addNewManagementScopes } from '../../src/services/management-scopes-upkeep.ts';
import { testCertificate } from './tls.ts';
import { freePort } from './free-port.ts';

export const PUBLIC_HOST = 'signet.test';

export interface TestTenant extends CreatedTenant {
  /** Base URL, e.g. https://acme.signet.test:43121/ (same as issuer). */
  base: string;
  /** A Management API token with every scope (fetched with the tenant's management client secret). */
  managementToken(): Promise<string>;
  /** Calls the Management API with the management token. */
  api(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any }>;
}

export interface TestClock {
  now(): number;
  /** Moves the server's time forward (expiry tests use this instead of sleeping). */
  advance(ms: number): void;
}

export interface Harness {
  config: Config;
  services: Services;
  app: FastifyInstance;
  port: number;
  dataDir: string;
  /** The undici dispatcher that resolves every name to 127.0.0.1 and trusts the test certificate: give it to third-party clients. */
  dispatcher: Agent;
  fetch: typeof globalThis.fetch;
  /** The server's clock: the system time plus however far a test has moved it forward. */
  clock: TestClock;
  defaultTenant: TestTenant;
  createTenant(plan?: string, name?: string): Promise<TestTenant>;
  /** POST /oauth/token on a tenant with a form body. */
  token(tenant: TestTenant, form: Record<string, string>, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

/**
 * Starts Signet the way `signet serve` does (same composition root), over HTTPS on a free port,
 * with a fresh SQLite database (or the PostgreSQL URL given). Hosts are `signet.test` and
 * `{tenant}.signet.test`, resolved to loopback by `dispatcher` (or, with `localHttp`,
 * `localhost` and `{tenant}.localhost` over plain HTTP).
 */
export async function startSignet(
  opts: {
    databaseUrl?: string;
    redisUrl?: string;
    trustProxy?: string;
    localHttp?: boolean;
    /** Another node of the same deployment: same master key, and its default tenant (give the same databaseUrl). */
    sameDeploymentAs?: Harness;
    /** Runs with JSON logs at `info` into this function, one line per call (as `signet serve` writes them to stdout). */
    log?: (line: string) => void;
    /** The level of `log` (default info). */
    logLevel?: string;
    /** More environment for loadConfig (e.g. SIGNET_METRICS_PORT). */
    env?: Record<string, string>;
  } = {},
): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'signet-test-'));
  // `localHttp`: plain HTTP at localhost, tenants at {tenant}.localhost, as after `npm start` on a laptop.
  const tls = opts.localHttp ? undefined : testCertificate();
  // Port 0 is not known before listening, but the public URL must be: reserve one first.
  const port = await freePort();
  const config = loadConfig({
    PORT: String(port),
    SIGNET_DATA_DIR: dataDir,
    SIGNET_PUBLIC_URL: opts.localHttp ? `http://localhost:${port}` : `https://${PUBLIC_HOST}:${port}`,
    SIGNET_MASTER_KEY: opts.sameDeploymentAs?.config.masterKey.toString('hex') ?? randomBytes(32).toString('hex'),
    ...(opts.databaseUrl && { SIGNET_DATABASE_URL: opts.databaseUrl }),
    ...(opts.redisUrl && { SIGNET_REDIS_URL: opts.redisUrl }),
    ...(opts.trustProxy && { SIGNET_TRUST_PROXY: opts.trustProxy }),
    ...opts.env,
  });
  let offset = 0;
  const clock: TestClock = { now: () => Date.now() + offset, advance: (ms) => void (offset += ms) };
  const services = await buildServices(config, { clock: clock.now });
  await ensureDefaultTenant(services.store, services.box, config);
  await services.store.signingKeys.upkeep(clock.now());
  await addNewManagementScopes(services.store);
  const log = opts.log;
  const app = await buildApp(services, {
    ...(tls && { https: tls }),
    trustProxy: config.trustProxy,
    ...(log && { logger: { level: opts.logLevel ?? 'info', stream: { write: (line: string) => log(line) } } }),
  });
  await app.listen({ port, host: '127.0.0.1' });

  const dispatcher = new Agent({
    connect: {
      ...(tls && { ca: tls.cert }),
      lookup: (_host, options, cb) => {
        if ((options as { all?: boolean }).all) (cb as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
        else cb(null, '127.0.0.1', 4);
      },
    },
  });
  const f = ((input: string | URL, init?: RequestInit) => undiciFetch(input, { ...init, dispatcher })) as unknown as typeof globalThis.fetch;

  const wrap = (t: CreatedTenant): TestTenant => {
    let cached: { token: string; exp: number } | undefined;
    const tenant: TestTenant = {
      ...t,
      base: t.issuer,
      async managementToken() {
        if (cached && cached.exp > Date.now() + 5000) return cached.token;
        const r = await h.token(tenant, {
          grant_type: 'client_credentials',
          client_id: t.management.client_id,
          client_secret: t.management.client_secret,
          audience: t.management.audience,
        });
        if (r.status !== 200) throw new Error(`management token: ${r.status} ${JSON.stringify(r.body)}`);
        cached = { token: r.body.access_token, exp: Date.now() + r.body.expires_in * 1000 };
        return cached.token;
      },
      async api(method, path, body, token) {
        const res = await f(new URL(`api/v2${path}`, t.issuer), {
          method,
          headers: { authorization: `Bearer ${token ?? (await tenant.managementToken())}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await res.text();
        return { status: res.status, body: text ? JSON.parse(text) : undefined };
      },
    };
    return tenant;
  };

  // Another node's default tenant is addressed by that node's URL (its port): the same tenant.
  const defaultCreated = opts.sameDeploymentAs?.defaultTenant ?? (await defaultTenantInfo(services, config));
  let n = 0;
  const h: Harness = {
    config,
    services,
    app,
    port,
    dataDir,
    dispatcher,
    fetch: f,
    clock,
    defaultTenant: wrap(defaultCreated),
    async createTenant(plan = 'enterprise', name = `t${process.pid}x${++n}${randomBytes(3).toString('hex')}`) {
      return wrap(await createTenant(services.store, services.box, config, { name, plan }));
    },
    async token(tenant, form, headers = {}) {
      const res = await f(new URL('oauth/token', tenant.issuer), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(form).toString(),
      });
      const text = await res.text();
      let body: unknown = text;
      try { body = JSON.parse(text); } catch { /* leave as text */ }
      return { status: res.status, body, headers: res.headers as unknown as Headers };
    },
    async close() {
      await app.close();
      await services.close();
      await dispatcher.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return h;
}

async function defaultTenantInfo(services: Services, config: Config): Promise<CreatedTenant> {
  const t = (await services.store.tenants.getByName('default'))!;
  const host = config.publicUrl.host;
  const issuer = `${config.publicUrl.protocol}//${host}/`;
  const audience = `${issuer}api/v2/`;
  const grant = (await services.store.clientGrants.list(t.id, { audience }))[0]!;
  const client = (await services.store.clients.get(t.id, grant.clientId))!;
  return {
    tenant: 'default',
    plan: t.plan,
    issuer,
    domain: host,
    management: { client_id: client.clientId, client_secret: services.box.open(client.clientSecretEnc, `client_secret:${client.clientId}`), audience },
  };
}
