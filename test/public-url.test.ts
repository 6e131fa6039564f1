import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './support/free-port.ts';

/**
 * The public URL (SIGNET_PUBLIC_URL, or PORT) may change between starts: the default tenant and
 * every `{tenant}.{public host}` domain follow it, custom domains stay, and the CLI works with
 * the URL the server uses.
 */
const bin = resolve('bin/signet.js');
/** The test runner's environment without the variables that choose the public URL: each call sets its own. */
const { PORT: _port, SIGNET_PUBLIC_URL: _url, SIGNET_TLS_CERT: _cert, SIGNET_TLS_KEY: _key, ...inherited } = process.env;

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { env: { ...inherited, ...env }, encoding: 'utf8', timeout: 120_000 }, (err, stdout, stderr) =>
      done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function serve(env: NodeJS.ProcessEnv): Promise<{ proc: ChildProcess; banner: () => string }> {
  const proc = spawn(process.execPath, [bin, 'serve'], { env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  // Generous: a loaded machine can take seconds to load TypeScript and make the tenant's key.
  for (let i = 0; i < 600 && !out.includes('Dashboard'); i++) await new Promise((r) => setTimeout(r, 100));
  assert.match(out, /serving/, 'the server started');
  return { proc, banner: () => out };
}

async function stop(p: ChildProcess) {
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  await exited;
}

/** A request to the server on loopback with the given Host header (custom domains need no DNS this way). */
function call(port: number, host: string, path: string, body?: Record<string, string>): Promise<{ status: number; body: any }> {
  return new Promise((done, fail) => {
    const data = body && new URLSearchParams(body).toString();
    const req = request(
      { host: '127.0.0.1', port, path, method: data ? 'POST' : 'GET', headers: { host, ...(data && { 'content-type': 'application/x-www-form-urlencoded' }) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c) => (text += c)).on('end', () => {
          let parsed: unknown = text;
          try { parsed = JSON.parse(text); } catch { /* not JSON */ }
          done({ status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on('error', fail);
    req.end(data);
  });
}

const issuerAt = async (port: number, host: string) => {
  const r = await call(port, host, '/.well-known/openid-configuration');
  return r.status === 200 ? (r.body.issuer as string) : r.status;
};

test('after a restart on another port, the default tenant and tenant subdomains follow the public URL, custom domains stay, and the CLI uses the server\'s URL', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-public-url-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const base = { SIGNET_DATA_DIR: dir, SIGNET_BIND: '127.0.0.1' };
  const first = await freePort();
  let server = await serve({ ...base, PORT: String(first) });
  t.after(() => stop(server.proc));

  // The CLI runs without PORT, as from another shell: it uses the URL the server started with, and says so.
  const created = await cli(['tenants', 'create', 'acme', '--json'], base);
  assert.equal(created.code, 0, created.stderr);
  assert.equal(JSON.parse(created.stdout).domain, `acme.localhost:${first}`);
  assert.match(created.stderr, new RegExp(`Public URL http://localhost:${first} \\(the one the server last started with`));
  assert.equal((await cli(['tenants', 'add-domain', 'acme', 'auth.acme.example'], base)).code, 0);
  assert.equal(await issuerAt(first, `acme.localhost:${first}`), `http://acme.localhost:${first}/`);

  await stop(server.proc);
  const second = await freePort();
  server = await serve({ ...base, PORT: String(second) });
  const banner = server.banner();
  assert.match(banner, new RegExp(`serving the default tenant at http://localhost:${second}/`));
  assert.match(banner, new RegExp(`The public URL changed: the default tenant's issuer is now http://localhost:${second}/ \\(was http://localhost:${first}/\\)`));
  assert.match(banner, new RegExp(`acme → http://acme\\.localhost:${second}/`));

  assert.equal(await issuerAt(second, `localhost:${second}`), `http://localhost:${second}/`);
  assert.equal(await issuerAt(second, `acme.localhost:${second}`), `http://acme.localhost:${second}/`);
  assert.equal(await issuerAt(second, 'auth.acme.example'), 'http://auth.acme.example/', 'a custom domain stays as stored');
  assert.equal(await issuerAt(second, `localhost:${first}`), 404, 'the old host is no longer served');
  assert.equal(await issuerAt(second, `acme.localhost:${first}`), 404);

  // The Management API moved with the issuer: its audience and grant work at the new URL.
  for (const [name, host] of [['default', `localhost:${second}`], ['acme', `acme.localhost:${second}`]] as const) {
    const creds = await cli(['tenants', 'credentials', name, '--json'], base);
    assert.equal(creds.code, 0, creds.stderr);
    const { management } = JSON.parse(creds.stdout);
    assert.equal(management.audience, `http://${host}/api/v2/`);
    const token = await call(second, host, '/oauth/token', { grant_type: 'client_credentials', ...management });
    assert.equal(token.status, 200, JSON.stringify(token.body));
    const clients = await new Promise<number>((done) =>
      request({ host: '127.0.0.1', port: second, path: '/api/v2/clients', headers: { host, authorization: `Bearer ${token.body.access_token}` } }, (res) => (res.resume(), done(res.statusCode ?? 0))).end(),
    );
    assert.equal(clients, 200);
  }

  // A third start on the same URL moves nothing and says nothing about it.
  await stop(server.proc);
  server = await serve({ ...base, PORT: String(second) });
  assert.doesNotMatch(server.banner(), /public URL changed|moved/);
});

test('a custom domain cannot take a tenant subdomain, and a tenant whose subdomain is taken is refused with a clear message', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-reserved-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const at3000 = { SIGNET_DATA_DIR: dir, SIGNET_PUBLIC_URL: 'http://localhost:3000' };
  assert.equal((await cli(['tenants', 'create', 'acme'], at3000)).code, 0);

  for (const host of ['beta.localhost:3000', 'BETA.localhost:3000', 'localhost:3000']) {
    const r = await cli(['tenants', 'add-domain', 'acme', host], at3000);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /is under the public host localhost:3000, where tenants are served .*Use a host outside it/);
  }
  const created = await cli(['tenants', 'create', 'beta', '--json'], at3000);
  assert.equal(created.code, 0, created.stderr);
  assert.equal(JSON.parse(created.stdout).domain, 'beta.localhost:3000');
  // Deeper names are no tenant's subdomain: they may be custom domains.
  assert.equal((await cli(['tenants', 'add-domain', 'acme', 'login.acme.localhost:3000'], at3000)).code, 0);

  // A custom domain added under another public URL can still hold a future tenant's subdomain.
  assert.equal((await cli(['tenants', 'add-domain', 'acme', 'gamma.localhost:4000'], at3000)).code, 0);
  const refused = await cli(['tenants', 'create', 'gamma'], { ...at3000, SIGNET_PUBLIC_URL: 'http://localhost:4000' });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /A tenant named "gamma" would be served at gamma\.localhost:4000, which is already a domain of tenant "acme"\. Choose another name\./);
  assert.doesNotMatch(refused.stderr, /constraint|SQL/i);
});
