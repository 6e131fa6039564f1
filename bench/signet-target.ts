/**
 * Starts Signet exactly as an operator would (`node bin/signet.js serve --workers N`) on a
 * fresh SQLite data directory, and sets up the benchmark's tenant objects through the
 * Management API (not the store), so the token endpoint runs with production code paths and
 * caches: an API, an M2M application with one RS256 public key credential, and a client grant.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { API_IDENTIFIER, API_SCOPE, freePort, startServerProcess, stopProcess, waitForOk, type Target } from './common.ts';

const run = promisify(execFile);
const ROOT = new URL('..', import.meta.url).pathname;

export async function startSignet(opts: { workers: number; logDir: string; nodeArgs?: string[]; env?: Record<string, string> }): Promise<Target> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'signet-bench-'));
  const origin = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    PORT: String(port),
    SIGNET_BIND: '127.0.0.1',
    SIGNET_DATA_DIR: dataDir,
    SIGNET_PUBLIC_URL: origin,
    ...opts.env,
  };
  const child = startServerProcess(process.execPath, [...(opts.nodeArgs ?? []), 'bin/signet.js', 'serve', '--workers', String(opts.workers)], {
    cwd: ROOT,
    env,
    logFile: join(opts.logDir, `signet-w${opts.workers}.log`),
  });
  const stop = async () => {
    await stopProcess(child);
    rmSync(dataDir, { recursive: true, force: true });
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
    await api('POST', '/resource-servers', { identifier: API_IDENTIFIER, name: 'bench', scopes: [{ value: API_SCOPE }] });
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
      notes: [
        `SQLite (WAL) in a fresh temp dir; jti single-use recorded in the database, shared by all ${opts.workers} worker(s)`,
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
