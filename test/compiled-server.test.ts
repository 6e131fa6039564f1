import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createPublicKey, generateKeyPairSync, verify, type JsonWebKey } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Agent, fetch } from 'undici';
import { freePort } from './support/free-port.ts';
import { freshPostgresDatabase, REDIS_URL, requirePostgres, requireRedis } from './support/services.ts';

/**
 * `npm run build` then `npm start`, as an operator runs them: the server compiled to JavaScript
 * runs under plain node (no loader), issues a Private Key JWT token, and an SQLite start loads
 * neither tsx nor the optional PostgreSQL and Redis drivers. bin/signet.js never runs a build
 * made from other sources.
 *
 * The build happens in a copy of the package, so this file never rewrites the checkout's dist/
 * while other test files run its bin/signet.js.
 */
const repo = resolve('.');
const recorder = join(repo, 'test/support/record-imports.mjs');
let pkg: string;
let work: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'signet-compiled-'));
  pkg = join(work, 'signet');
  mkdirSync(pkg);
  for (const part of ['src', 'bin', 'scripts', 'package.json', 'tsconfig.json', 'tsconfig.build.json']) {
    cpSync(join(repo, part), join(pkg, part), { recursive: true, filter: (p) => !p.includes(`${join('src', 'web')}`) });
  }
  symlinkSync(realpathSync(join(repo, 'node_modules')), join(pkg, 'node_modules'));
  const r = await run(process.execPath, [join(pkg, 'scripts/build.mjs'), 'server'], {});
  assert.equal(r.code, 0, `build failed: ${r.stdout}\n${r.stderr}`);
  assert.ok(existsSync(join(pkg, 'dist/server/cli/main.js')), 'the build wrote dist/server');
});
after(() => rmSync(work, { recursive: true, force: true }));

/** The environment of a start on SQLite: whatever the test process was given for services is left out. */
function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.SIGNET_DATABASE_URL;
  delete env.SIGNET_REDIS_URL;
  delete env.SIGNET_MASTER_KEY;
  return { ...env, ...extra };
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) =>
    execFile(cmd, args, { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 240_000 }, (err, stdout, stderr) =>
      done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

/** `node --import record-imports.mjs bin/signet.js serve` in the built copy, until it says it is serving. */
async function serve(env: NodeJS.ProcessEnv): Promise<{ proc: ChildProcess; stderr: () => string }> {
  const proc = spawn(process.execPath, ['--import', recorder, join(pkg, 'bin/signet.js'), 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (err += d));
  for (let i = 0; i < 600 && !out.includes('serving') && proc.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
  assert.match(out, /serving/, `the server started: ${err}`);
  return { proc, stderr: () => err };
}

async function stop(proc: ChildProcess): Promise<number | null> {
  if (proc.exitCode !== null) return proc.exitCode;
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  proc.kill('SIGTERM');
  return exited;
}

const loopback = new Agent({
  connect: {
    lookup: (_h, o, cb) => ((o as { all?: boolean }).all ? (cb as unknown as (e: null, a: object[]) => void)(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4)),
  },
});
after(() => loopback.close());

async function call(url: URL, body?: Record<string, unknown>, token?: string): Promise<any> {
  const res = await fetch(url, {
    method: body ? 'POST' : 'GET',
    dispatcher: loopback,
    headers: { ...(body && { 'content-type': 'application/json' }), ...(token && { authorization: `Bearer ${token}` }) },
    body: body && JSON.stringify(body),
  });
  const json = (await res.json()) as any;
  assert.ok(res.ok, `${url.pathname}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

const recorded = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);
const packageLoaded = (urls: string[], name: string) => urls.some((u) => u.includes(`/node_modules/${name}/`));

test('the compiled server runs under plain node, issues a Private Key JWT token, and loads no loader, React or optional driver on SQLite', async (t) => {
  const dir = mkdtempSync(join(work, 'data-'));
  const port = await freePort();
  const imports = join(dir, 'imports.txt');
  const env = baseEnv({ PORT: String(port), SIGNET_BIND: '127.0.0.1', SIGNET_DATA_DIR: dir, SIGNET_RECORD_IMPORTS: imports });
  const { proc, stderr } = await serve(env);
  t.after(() => stop(proc));

  // The default tenant's Management API client, read by the compiled CLI.
  const creds = await run(process.execPath, [join(pkg, 'bin/signet.js'), 'tenants', 'credentials', 'default', '--json'], baseEnv({ SIGNET_DATA_DIR: dir }));
  assert.equal(creds.code, 0, creds.stderr);
  const tenant = JSON.parse(creds.stdout);
  const issuer = `http://localhost:${port}/`;
  assert.equal(tenant.issuer, issuer);

  const discovery = await call(new URL('.well-known/openid-configuration', issuer));
  assert.equal(discovery.issuer, issuer);
  assert.ok(discovery.token_endpoint_auth_methods_supported.includes('private_key_jwt'));

  const { access_token: mgmt } = await call(new URL('oauth/token', issuer), { grant_type: 'client_credentials', ...tenant.management });
  const audience = 'https://orders.example.com/';
  await call(new URL('api/v2/resource-servers', issuer), { identifier: audience, scopes: [{ value: 'read:orders' }] }, mgmt);
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const app = await call(
    new URL('api/v2/clients', issuer),
    {
      name: 'orders backend',
      app_type: 'non_interactive',
      client_authentication_methods: { private_key_jwt: { credentials: [{ credential_type: 'public_key', pem: publicKey.export({ type: 'spki', format: 'pem' }) }] } },
    },
    mgmt,
  );
  await call(new URL('api/v2/client-grants', issuer), { client_id: app.client_id, audience, scope: ['read:orders'] }, mgmt);
  const keyFile = join(dir, 'orders.pem');
  writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });

  // `signet token` (compiled too) signs the client assertion and exchanges it.
  const got = await run(process.execPath, [join(pkg, 'bin/signet.js'), 'token', '--domain', `localhost:${port}`, '--client-id', app.client_id, '--key', keyFile, '--audience', audience, '--scope', 'read:orders', '--json'], baseEnv({ SIGNET_DATA_DIR: dir }));
  assert.equal(got.code, 0, got.stderr);
  const token: string = JSON.parse(got.stdout).access_token;
  const [h, p, s] = token.split('.') as [string, string, string];
  const header = JSON.parse(Buffer.from(h, 'base64url').toString());
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
  assert.deepEqual([claims.iss, claims.aud, claims.scope, claims.sub], [issuer, audience, 'read:orders', `${app.client_id}@clients`]);
  const { keys } = await call(new URL('.well-known/jwks.json', issuer));
  const jwk = keys.find((k: { kid: string }) => k.kid === header.kid) as JsonWebKey;
  assert.ok(jwk, 'the signing key is published');
  assert.ok(verify('sha256', Buffer.from(`${h}.${p}`), createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(s, 'base64url')), 'the token verifies against the JWKS');

  assert.equal(await stop(proc), 0, 'SIGTERM stops it cleanly');
  assert.doesNotMatch(stderr(), /through tsx/);
  const urls = recorded(imports);
  assert.ok(urls.some((u) => u.endsWith('/dist/server/cli/main.js')), 'the compiled CLI ran');
  assert.deepEqual(urls.filter((u) => u.includes('/src/') || u.endsWith('.ts')), [], 'no TypeScript source was loaded');
  for (const name of ['tsx', 'esbuild', 'react', 'react-dom', 'pg', 'ioredis', 'typescript', 'vite']) {
    assert.ok(!packageLoaded(urls, name), `${name} is not loaded by an SQLite start`);
  }
  // The common-password list is loaded when a user's password is first set, not at start.
  assert.ok(!packageLoaded(urls, '@zxcvbn-ts/language-common'), 'the password list is not loaded at start');
  assert.ok(packageLoaded(urls, 'fastify') && urls.some((u) => u.endsWith('/dist/server/store/sql/sqlite.js')), 'the recorder sees what is loaded');
});

test('the compiled server loads the PostgreSQL and Redis drivers when they are configured', async (t) => {
  if (!(await requirePostgres(t)) || !(await requireRedis(t))) return;
  const db = await freshPostgresDatabase();
  t.after(() => db.drop());
  const dir = mkdtempSync(join(work, 'data-'));
  const imports = join(dir, 'imports.txt');
  const env = baseEnv({ PORT: String(await freePort()), SIGNET_BIND: '127.0.0.1', SIGNET_DATA_DIR: dir, SIGNET_RECORD_IMPORTS: imports, SIGNET_DATABASE_URL: db.url, SIGNET_REDIS_URL: REDIS_URL });
  const { proc } = await serve(env);
  assert.equal(await stop(proc), 0);
  const urls = recorded(imports);
  assert.ok(packageLoaded(urls, 'pg'), 'pg is loaded for SIGNET_DATABASE_URL=postgres://...');
  assert.ok(packageLoaded(urls, 'ioredis'), 'ioredis is loaded for SIGNET_REDIS_URL');
});

// Last: it edits the copy's sources.
test('bin/signet.js runs the sources through tsx, and says so, once they differ from what dist/server was built from', async () => {
  const imports = join(work, 'imports-help.txt');
  const before = await run(process.execPath, ['--import', recorder, join(pkg, 'bin/signet.js'), 'help'], { SIGNET_RECORD_IMPORTS: imports });
  assert.equal(before.code, 0, before.stderr);
  assert.ok(recorded(imports).some((u) => u.endsWith('/dist/server/cli/main.js')), 'a current build runs');
  assert.doesNotMatch(before.stderr, /through tsx/);

  rmSync(imports);
  appendFileSync(join(pkg, 'src/config.ts'), '\n// edited after the build\n');
  const after = await run(process.execPath, ['--import', recorder, join(pkg, 'bin/signet.js'), 'help'], { SIGNET_RECORD_IMPORTS: imports });
  assert.equal(after.code, 0, after.stderr);
  assert.match(after.stderr, /running the TypeScript sources through tsx \(dist\/server was compiled from other sources; `npm run build` compiles it\)/);
  const urls = recorded(imports);
  assert.ok(urls.some((u) => u.endsWith('/src/cli/main.ts')), 'the sources ran');
  assert.ok(!urls.some((u) => u.includes('/dist/server/')), 'nothing of the stale build ran');
});
