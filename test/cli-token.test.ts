import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { Agent, fetch } from 'undici';
import { freePort } from './support/free-port.ts';
import { certificateFiles } from './support/tls.ts';

/**
 * `signet token` as a user runs it against `signet serve`: for a tenant other than the default
 * (on `{tenant}.localhost:PORT`, which Node does not resolve by itself), over HTTP and HTTPS,
 * and with a clear error, never a hang, when the scheme does not match the server.
 */
const bin = resolve('bin/signet.js');

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 }, (err, stdout, stderr) =>
      done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function serve(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const p = spawn(process.execPath, [bin, 'serve'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  p.stdout!.on('data', (d) => (out += d));
  // Generous: a loaded machine can take seconds to load TypeScript and make the tenant's key.
  for (let i = 0; i < 600 && !out.includes('serving'); i++) await new Promise((r) => setTimeout(r, 100));
  assert.match(out, /serving/, 'the server started');
  return p;
}

async function stop(p: ChildProcess) {
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  await exited;
}

/** A tenant with an M2M app whose Private Key JWT credential is a fresh key, set up through the Management API. */
async function tenantWithApp(env: NodeJS.ProcessEnv, name: string, ca?: string) {
  const created = await cli(['tenants', 'create', name, '--json'], env);
  assert.equal(created.code, 0, created.stderr);
  const t = JSON.parse(created.stdout);
  const dispatcher = new Agent({
    connect: {
      ...(ca && { ca }),
      lookup: (_h, o, cb) => ((o as { all?: boolean }).all ? (cb as unknown as (e: null, a: object[]) => void)(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4)),
    },
  });
  const call = async (path: string, body: Record<string, unknown>, token?: string) => {
    const res = await fetch(new URL(path, t.issuer), {
      method: 'POST',
      dispatcher,
      headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as any;
    assert.ok(res.ok, `${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const { access_token: mgmt } = await call('oauth/token', { grant_type: 'client_credentials', ...t.management });
  const audience = 'https://orders.example.com/';
  await call('api/v2/resource-servers', { identifier: audience, scopes: [{ value: 'read:orders' }] }, mgmt);
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const app = await call(
    'api/v2/clients',
    {
      name: 'orders backend',
      app_type: 'non_interactive',
      client_authentication_methods: { private_key_jwt: { credentials: [{ credential_type: 'public_key', pem: publicKey.export({ type: 'spki', format: 'pem' }) }] } },
    },
    mgmt,
  );
  await call('api/v2/client-grants', { client_id: app.client_id, audience, scope: ['read:orders'] }, mgmt);
  await dispatcher.close();
  const keyFile = join(env.SIGNET_DATA_DIR!, `${name}.pem`);
  writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  return { tenant: t, args: ['--client-id', app.client_id, '--key', keyFile, '--audience', audience] };
}

test('signet token gets a token for a non-default tenant on {tenant}.localhost over HTTP, and says what to do when the scheme is wrong', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-token-http-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const port = await freePort();
  const env = { PORT: String(port), SIGNET_DATA_DIR: dir, SIGNET_BIND: '127.0.0.1' };
  const server = await serve(env);
  t.after(() => stop(server));
  const { tenant, args } = await tenantWithApp(env, 'acme');
  assert.equal(tenant.domain, `acme.localhost:${port}`);

  for (const domain of [`acme.localhost:${port}`, `http://acme.localhost:${port}`, `http://acme.localhost:${port}/`]) {
    const r = await cli(['token', '--domain', domain, ...args, '--json'], env);
    assert.equal(r.code, 0, `--domain ${domain}: ${r.stderr}`);
    const body = JSON.parse(r.stdout);
    assert.equal(JSON.parse(Buffer.from(body.access_token.split('.')[1], 'base64url').toString()).iss, `http://acme.localhost:${port}/`);
  }

  const https = await cli(['token', '--domain', `https://acme.localhost:${port}`, ...args], env);
  assert.equal(https.code, 1);
  assert.match(https.stderr, new RegExp(`acme\\.localhost:${port} does not answer HTTPS .*--domain http://acme\\.localhost:${port}`));
});

test('signet token gets a token for a non-default tenant over HTTPS, and a guessed plain-HTTP scheme fails with the fix, not a hang-up', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-token-https-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const port = await freePort();
  const tls = certificateFiles(['localhost', 'acme.localhost']);
  const env = { PORT: String(port), SIGNET_DATA_DIR: dir, SIGNET_BIND: '127.0.0.1', SIGNET_TLS_CERT: tls.certFile, SIGNET_TLS_KEY: tls.keyFile };
  const server = await serve(env);
  t.after(() => stop(server));
  const { tenant, args } = await tenantWithApp(env, 'acme', tls.cert);
  assert.equal(tenant.issuer, `https://acme.localhost:${port}/`);

  const ok = await cli(['token', '--domain', `https://acme.localhost:${port}`, ...args], { ...env, NODE_EXTRA_CA_CERTS: tls.certFile });
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(JSON.parse(Buffer.from(ok.stdout.trim().split('.')[1]!, 'base64url').toString()).iss, `https://acme.localhost:${port}/`);

  const guessed = await cli(['token', '--domain', `acme.localhost:${port}`, ...args], env);
  assert.equal(guessed.code, 1);
  assert.match(guessed.stderr, new RegExp(`closed the connection on plain HTTP .*If it serves HTTPS, pass --domain https://acme\\.localhost:${port}`));

  const untrusted = await cli(['token', '--domain', `https://acme.localhost:${port}`, ...args], env);
  assert.equal(untrusted.code, 1);
  assert.match(untrusted.stderr, /certificate of acme\.localhost:\d+ is not trusted .*NODE_EXTRA_CA_CERTS/);
});
