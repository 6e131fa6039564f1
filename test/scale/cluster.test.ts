import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/free-port.ts';
import { decodeProtectedHeader } from 'jose';
import { generateKeyPairSync } from 'node:crypto';
import { signClientAssertion } from '../../src/domain/sign-client-assertion.ts';
import { CLIENT_ASSERTION_TYPE } from '../../src/domain/client-assertion/index.ts';

/**
 * `signet serve --workers 2` as a user runs it: two processes share the port and the SQLite
 * database. Single use of an assertion and removal of a credential must hold across workers,
 * each of which keeps its own in-memory cache.
 */
let dir: string;
let proc: ChildProcess;
let base: string;
let env: NodeJS.ProcessEnv;
let mgmt: string;


async function call(method: string, path: string, body?: unknown, form = false) {
  const res = await fetch(base + (form ? path : `api/v2/${path}`), {
    method,
    headers: form
      ? { 'content-type': 'application/x-www-form-urlencoded' }
      : { authorization: `Bearer ${mgmt}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : form ? new URLSearchParams(body as Record<string, string>).toString() : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'signet-cluster-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}/`;
  env = { ...process.env, PORT: String(port), SIGNET_DATA_DIR: dir, SIGNET_PUBLIC_URL: base.slice(0, -1), SIGNET_BIND: '127.0.0.1' };
  proc = spawn(process.execPath, ['bin/signet.js', 'serve', '--workers', '2'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(base + '.well-known/openid-configuration')).ok) break;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const creds = JSON.parse(execFileSync(process.execPath, ['bin/signet.js', 'tenants', 'credentials', 'default', '--json'], { env }).toString());
  const r = await call('POST', 'oauth/token', { grant_type: 'client_credentials', client_id: creds.management.client_id, client_secret: creds.management.client_secret, audience: creds.management.audience }, true);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  mgmt = r.body.access_token;
});

after(async () => {
  proc.kill('SIGTERM');
  await new Promise((r) => proc.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
});

async function m2m() {
  await call('POST', 'resource-servers', { identifier: 'https://cluster.example/', scopes: [{ value: 'x' }] });
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const app = await call('POST', 'clients', {
    name: 'worker-test',
    app_type: 'non_interactive',
    client_authentication_methods: { private_key_jwt: { credentials: [{ credential_type: 'public_key', pem: publicKey.export({ type: 'spki', format: 'pem' }) }] } },
  });
  assert.equal(app.status, 201, JSON.stringify(app.body));
  assert.equal((await call('POST', 'client-grants', { client_id: app.body.client_id, audience: 'https://cluster.example/', scope: ['x'] })).status, 201);
  const form = () => ({
    grant_type: 'client_credentials',
    client_assertion_type: CLIENT_ASSERTION_TYPE,
    client_assertion: signClientAssertion({ clientId: app.body.client_id, audience: base, privateKey }),
    audience: 'https://cluster.example/',
  });
  return { clientId: app.body.client_id as string, credentialId: app.body.client_authentication_methods.private_key_jwt.credentials[0].id as string, form };
}

test('two workers: of 30 racing requests with one assertion exactly one gets a token', async () => {
  const app = await m2m();
  const f = app.form();
  const results = await Promise.all(Array.from({ length: 30 }, () => call('POST', 'oauth/token', f, true)));
  assert.deepEqual(results.map((r) => r.status).sort(), [200, ...Array(29).fill(401)]);
});

test('two workers: a credential disabled through one worker is refused by every worker at once', async () => {
  const app = await m2m();
  // Warm both workers' caches with this client.
  const warm = await Promise.all(Array.from({ length: 12 }, () => call('POST', 'oauth/token', app.form(), true)));
  assert.ok(warm.every((r) => r.status === 200));
  const off = await call('PATCH', `clients/${app.clientId}`, { client_authentication_methods: { private_key_jwt: { credentials: [] } } });
  assert.equal(off.status, 200, JSON.stringify(off.body));
  const after = await Promise.all(Array.from({ length: 12 }, () => call('POST', 'oauth/token', app.form(), true)));
  assert.deepEqual(after.map((r) => r.status), Array(12).fill(401));
  assert.match(after[0]!.body.error_description, /credential/i);
});

test('two workers: a credential added and enabled through one worker signs every next assertion, on either worker', async () => {
  const app = await m2m();
  // Warm both workers' caches with the client's first credential only.
  const warm = await Promise.all(Array.from({ length: 12 }, () => call('POST', 'oauth/token', app.form(), true)));
  assert.ok(warm.every((r) => r.status === 200), JSON.stringify(warm.map((r) => r.status)));
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const added = await call('POST', `clients/${app.clientId}/credentials`, { credential_type: 'public_key', pem: publicKey.export({ type: 'spki', format: 'pem' }) });
  assert.equal(added.status, 201, JSON.stringify(added.body));
  const on = await call('PATCH', `clients/${app.clientId}`, { client_authentication_methods: { private_key_jwt: { credentials: [{ id: app.credentialId }, { id: added.body.id }] } } });
  assert.equal(on.status, 200, JSON.stringify(on.body));
  const signedWithNew = () => ({ ...app.form(), client_assertion: signClientAssertion({ clientId: app.clientId, audience: base, privateKey }) });
  const results = [
    ...(await Promise.all(Array.from({ length: 20 }, () => call('POST', 'oauth/token', signedWithNew(), true)))),
    ...(await Promise.all(Array.from({ length: 20 }, () => call('POST', 'oauth/token', signedWithNew(), true)))),
  ];
  assert.deepEqual(results.map((r) => r.status), Array(40).fill(200), JSON.stringify(results.find((r) => r.status !== 200)?.body));
});

test('two workers: a client grant created through one worker applies to the next token request on either worker', async () => {
  const app = await m2m();
  const warm = await Promise.all(Array.from({ length: 12 }, () => call('POST', 'oauth/token', app.form(), true)));
  assert.ok(warm.every((r) => r.status === 200));
  const audience = `https://cluster-${app.clientId.slice(0, 8).toLowerCase()}.example/`;
  assert.equal((await call('POST', 'resource-servers', { identifier: audience, scopes: [{ value: 'y' }] })).status, 201);
  assert.equal((await call('POST', 'client-grants', { client_id: app.clientId, audience, scope: ['y'] })).status, 201);
  const results = await Promise.all(Array.from({ length: 20 }, () => call('POST', 'oauth/token', { ...app.form(), audience }, true)));
  assert.deepEqual(results.map((r) => r.status), Array(20).fill(200), JSON.stringify(results.find((r) => r.status !== 200)?.body));
});

test('two workers: after a rotation through one worker, every worker signs with the new key within about a second; a revoked key leaves every worker\'s JWKS at once', async () => {
  const app = await m2m();
  const kids = async (n: number) =>
    (await Promise.all(Array.from({ length: n }, () => call('POST', 'oauth/token', app.form(), true)))).map((r) => {
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return decodeProtectedHeader(r.body.access_token).kid;
    });
  const old = (await kids(12))[0];
  assert.ok((await kids(12)).every((k) => k === old), 'both workers warm with the current key');
  const rotated = await call('POST', 'keys/signing/rotate');
  assert.equal(rotated.status, 201, JSON.stringify(rotated.body));
  const returned = Date.now();
  let seen = await kids(10);
  while (!seen.every((k) => k === rotated.body.kid) && Date.now() - returned < 2000) {
    await new Promise((r) => setTimeout(r, 50));
    seen = await kids(10);
  }
  assert.ok(Date.now() - returned < 1500, `workers followed after ${Date.now() - returned} ms`);
  assert.deepEqual(await kids(20), Array(20).fill(rotated.body.kid));
  const published = async () => Promise.all(Array.from({ length: 10 }, async () => ((await (await fetch(base + '.well-known/jwks.json')).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid)));
  for (const set of await published()) assert.ok(set.includes(old!), 'the replaced key stays published');
  // The Management API token in use was signed with the key revoked here: this is the file's last call with it.
  assert.equal((await call('PUT', `keys/signing/${old}/revoke`)).status, 200);
  for (const set of await published()) assert.ok(!set.includes(old!), 'the revoked key is gone on every worker');
});
