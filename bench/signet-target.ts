/**
 * Starts Signet exactly as an operator would (`node bin/signet.js serve --workers N`) on a
 * fresh SQLite data directory — or a fresh PostgreSQL database with Redis as the replay store —
 * and sets up the benchmark's tenant objects through the Management API (not the store), so the
 * token endpoint runs with production code paths and caches: an API signing its access tokens
 * with the measured algorithm (`signing_alg`), an M2M application with one RS256 public key
 * credential, and a client grant. For the scale case, `clients` more applications are then
 * seeded through the store layer (bench/seed-clients.ts), copies of that one.
 */
import { execFile } from 'node:child_process';
import { createPrivateKey, createSecretKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeJwt } from 'jose';
import { signClientAssertion } from '../src/domain/sign-client-assertion.ts';
import { freshPostgresDatabase } from '../test/support/services.ts';
import { API_IDENTIFIER, API_SCOPE, ASSERTION_TYPE, freePort, startServerProcess, stopProcess, waitForOk, type AccessTokenAlg, type Target } from './common.ts';
import { seedClients, type KeyPairPem } from './seed-clients.ts';

const run = promisify(execFile);
const ROOT = new URL('..', import.meta.url).pathname;

export type SignetStore = 'sqlite' | 'postgres';

export interface SignetOptions {
  workers: number;
  logDir: string;
  alg?: AccessTokenAlg;
  /** postgres: a fresh database at SIGNET_TEST_PG_URL's server (dropped on stop) and Redis at SIGNET_TEST_REDIS_URL. */
  store?: SignetStore;
  /** Scale case: seed this many more applications (2 credentials each, from `keyPool`), the first `active` of which the load uses. */
  scale?: { clients: number; active: number; keyPool: KeyPairPem[] };
  nodeArgs?: string[];
  env?: Record<string, string>;
}

export const REDIS_URL = process.env.SIGNET_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';

/** Signet as started here, with the Management API the benchmark configured it through. */
export type SignetTarget = Target & { api: (method: string, path: string, body?: unknown) => Promise<unknown> };

export async function startSignet(opts: SignetOptions): Promise<SignetTarget> {
  const alg = opts.alg ?? 'RS256';
  const store = opts.store ?? 'sqlite';
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'signet-bench-'));
  const pg = store === 'postgres' ? await freshPostgresDatabase() : undefined;
  const origin = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    PORT: String(port),
    SIGNET_BIND: '127.0.0.1',
    SIGNET_DATA_DIR: dataDir,
    SIGNET_PUBLIC_URL: origin,
    ...(pg && { SIGNET_DATABASE_URL: pg.url, SIGNET_REDIS_URL: REDIS_URL }),
    ...opts.env,
  };
  const child = startServerProcess(process.execPath, [...(opts.nodeArgs ?? []), 'bin/signet.js', 'serve', '--workers', String(opts.workers)], {
    cwd: ROOT,
    env,
    logFile: join(opts.logDir, `signet-${store}-${alg}-w${opts.workers}${opts.scale ? `-${opts.scale.clients}-clients` : ''}.log`),
  });
  const stop = async () => {
    await stopProcess(child);
    rmSync(dataDir, { recursive: true, force: true });
    await pg?.drop();
  };
  try {
    await waitForOk(`${origin}/.well-known/openid-configuration`, child);

    // The operator's way in: the default tenant's Management API client, read by the CLI.
    const { stdout } = await run(process.execPath, ['bin/signet.js', 'tenants', 'credentials', 'default', '--json'], { cwd: ROOT, env });
    const creds = JSON.parse(stdout) as { issuer: string; management: { client_id: string; client_secret: string; audience: string } };
    const mgmt = await jsonCall(`${origin}/oauth/token`, 'POST', {
      grant_type: 'client_credentials',
      client_id: creds.management.client_id,
      client_secret: creds.management.client_secret,
      audience: creds.management.audience,
    });
    const api = (method: string, path: string, body?: unknown) => jsonCall(`${origin}/api/v2${path}`, method, body, mgmt.access_token as string);

    // One client from one address at full speed is what the benchmark measures, not what the
    // default rate limits allow (600 tokens a minute per client): raised for the run.
    await api('PATCH', '/tenants/settings', { token_rate_limit_per_client: 1_000_000, token_rate_limit_per_address: 1_000_000 });
    const rs = await api('POST', '/resource-servers', { identifier: API_IDENTIFIER, name: 'bench', scopes: [{ value: API_SCOPE }], signing_alg: alg });
    if (rs.signing_alg !== alg) throw new Error(`Signet setup: the API was created with signing_alg ${String(rs.signing_alg)}, not ${alg}`);
    // HS256: the API's generated secret, shown to the Management API, verifies its tokens.
    const hsKey = alg === 'HS256' ? createSecretKey(Buffer.from(String(rs.signing_secret ?? ''))) : undefined;
    if (alg === 'HS256' && !rs.signing_secret) throw new Error('Signet setup: an HS256 API came back without its signing_secret');
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const client = await api('POST', '/clients', {
      name: 'bench-m2m',
      app_type: 'non_interactive',
      client_authentication_methods: {
        private_key_jwt: { credentials: [{ credential_type: 'public_key', name: 'bench', alg: 'RS256', pem: publicKey.export({ type: 'spki', format: 'pem' }) }] },
      },
    });
    const clientId = client.client_id as string;
    await api('POST', '/client-grants', { client_id: clientId, audience: API_IDENTIFIER, scope: [API_SCOPE] });
    const credentials = (await api('GET', `/clients/${clientId}/credentials`)) as unknown as { kid?: string }[];

    let assertionPool: Target['assertionPool'];
    let seedSeconds: number | undefined;
    const notes: string[] = [];
    if (opts.scale) {
      const { clients, seconds } = await seedClients({ env, tenantName: 'default', templateClientId: clientId, audience: API_IDENTIFIER, count: opts.scale.clients, keys: opts.scale.keyPool });
      seedSeconds = seconds;
      assertionPool = { keys: opts.scale.keyPool.map((k) => k.privateKeyPem), clients: clients.slice(0, opts.scale.active) };
      await checkSeeded(origin, creds.issuer, assertionPool, clients.length);
      notes.push(
        `scale: ${clients.length} more applications seeded through the store layer (copies of one made through the Management API, ` +
          `2 RS256 credentials each from a pool of ${opts.scale.keyPool.length} keys, each with a client grant); the load cycles over the first ${opts.scale.active}`,
      );
    }

    return {
      name: 'signet',
      workers: opts.workers,
      origin,
      tokenPath: '/oauth/token',
      issuer: creds.issuer,
      jwksUrl: `${origin}/.well-known/jwks.json`,
      rootPid: child.pid!,
      assertion: {
        clientId,
        audience: creds.issuer, // Signet's strict audience policy: the issuer identifier
        kid: credentials[0]?.kid,
        privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      },
      form: { audience: API_IDENTIFIER, scope: API_SCOPE },
      expectedAudience: API_IDENTIFIER,
      alg,
      hsKey,
      assertionPool,
      seedSeconds,
      api,
      // On PostgreSQL + Redis, their servers' CPU is counted as this configuration's (not as noise).
      ...(store === 'postgres' && { serviceCommands: ['postgres', 'redis-server'] }),
      notes: [
        store === 'sqlite'
          ? `SQLite (WAL) in a fresh temp dir; jti single-use recorded in the database, shared by all ${opts.workers} worker(s)`
          : `PostgreSQL (a fresh database) and Redis (replay store in front of the database); jti single-use shared by all ${opts.workers} worker(s); ` +
            'the CPU of every postgres and redis-server process on the machine is counted in its CPU per token (servicesCpuMsPerToken in the JSON)',
        ...notes,
        'writes a log event (seccft) and credential last-used per token, as in production',
        "the tenant's token rate limits are raised to 1,000,000 a minute for the run",
      ],
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * Before any timed phase: a few random seeded clients, each with both of its keys, must get a
 * token for themselves — the seeded rows are accepted by the server as if made through the API.
 */
async function checkSeeded(origin: string, issuer: string, pool: NonNullable<Target['assertionPool']>, total: number): Promise<void> {
  const picks = new Set([0, pool.clients.length - 1]);
  while (picks.size < Math.min(6, pool.clients.length)) picks.add(Math.floor(Math.random() * pool.clients.length));
  for (const i of picks) {
    const c = pool.clients[i]!;
    for (const cred of c.credentials) {
      const assertion = signClientAssertion({ clientId: c.clientId, audience: issuer, kid: cred.kid, privateKey: createPrivateKey(pool.keys[cred.key]!) });
      const r = await fetch(`${origin}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: assertion, audience: API_IDENTIFIER, scope: API_SCOPE }),
      });
      const body = (await r.json()) as { access_token?: string };
      if (r.status !== 200 || !body.access_token) throw new Error(`seeded client ${i} of ${total} (kid ${cred.kid}) got ${r.status}: ${JSON.stringify(body).slice(0, 300)}`);
      if (decodeJwt(body.access_token).sub !== `${c.clientId}@clients`) throw new Error(`seeded client ${i}: the token is not for ${c.clientId}`);
    }
  }
}

async function jsonCall(url: string, method: string, body: unknown, token?: string): Promise<Record<string, unknown>> {
  const form = !token && method === 'POST';
  const res = await fetch(url, {
    method,
    headers: {
      ...(token && { authorization: `Bearer ${token}` }),
      ...(body !== undefined && { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' }),
    },
    body: body === undefined ? undefined : form ? new URLSearchParams(body as Record<string, string>).toString() : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`Signet setup: ${method} ${url} answered ${res.status}: ${text.slice(0, 500)}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}
