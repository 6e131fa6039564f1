/**
 * The README's JavaScript blocks marked for testing (```js test) run as printed against
 * `signet serve` over HTTPS, as a reader would paste them into a project that installed the
 * packages they import: only the placeholders change (YOUR_DOMAIN → the tenant's domain,
 * YOUR_CLIENT_ID → a Private Key JWT application's ID), private.pem is its private key, and the
 * API https://orders.example.com/ exists. Each must exit 0; a block that gets a token prints
 * it, and it must verify; the others print the application's name.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import { createLocalJWKSet, jwtVerify, SignJWT } from 'jose';
import { randomUUID, type KeyObject } from 'node:crypto';
import { freePort } from './support/free-port.ts';
import { certificateFiles } from './support/tls.ts';
import { keyPairFor } from './support/fixtures.ts';

const bin = resolve('bin/signet.js');
const API = 'https://orders.example.com/';
const APP_NAME = 'Orders backend';

/** The fenced blocks whose info string is `js test`, in README order. */
function markedBlocks(markdown: string): string[] {
  const blocks: string[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== '```js test') continue;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i]!.trim() !== '```'; i++) body.push(lines[i]!);
    blocks.push(body.join('\n') + '\n');
  }
  return blocks;
}

let server: ChildProcess;
let work: string;
let domain: string;
let clientId: string;
let certFile: string;
let dispatcher: Agent;
let issuer: string;
let privateKey: KeyObject;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'signet-readme-snippets-'));
  const port = await freePort();
  const tls = certificateFiles(['localhost']);
  certFile = tls.certFile;
  dispatcher = new Agent({ connect: { ca: tls.cert } });
  domain = `localhost:${port}`;
  issuer = `https://${domain}/`;
  const env = { ...process.env, PORT: String(port), SIGNET_BIND: '127.0.0.1', SIGNET_DATA_DIR: join(work, 'data'), SIGNET_TLS_CERT: tls.certFile, SIGNET_TLS_KEY: tls.keyFile, SIGNET_PUBLIC_URL: issuer.slice(0, -1) };
  server = spawn(process.execPath, [bin, 'serve'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  server.stdout!.on('data', (d) => (out += d));
  for (let i = 0; i < 600 && !out.includes('serving'); i++) await new Promise((r) => setTimeout(r, 100));
  assert.match(out, /serving/, 'the server started');

  // The setup the README's walk-through does, through the Management API.
  const creds = await new Promise<string>((done, fail) => execFile(process.execPath, [bin, 'tenants', 'credentials', 'default', '--json'], { env, encoding: 'utf8' }, (err, stdout) => (err ? fail(err) : done(stdout))));
  const { management } = JSON.parse(creds) as { management: { client_id: string; client_secret: string; audience: string } };
  const call = async (method: string, path: string, body: unknown, token?: string) => {
    const r = await undiciFetch(new URL(path, issuer), {
      method,
      dispatcher,
      headers: { 'content-type': path === '/oauth/token' ? 'application/x-www-form-urlencoded' : 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
      body: path === '/oauth/token' ? new URLSearchParams(body as Record<string, string>).toString() : JSON.stringify(body),
    });
    const json = (await r.json()) as any;
    assert.ok(r.ok, `${method} ${path}: ${r.status} ${JSON.stringify(json)}`);
    return json;
  };
  const { access_token: token } = await call('POST', '/oauth/token', { grant_type: 'client_credentials', client_id: management.client_id, client_secret: management.client_secret, audience: management.audience });
  await call('POST', '/api/v2/resource-servers', { name: 'Orders API', identifier: API, scopes: [{ value: 'read:orders' }] }, token);
  const keys = keyPairFor('RS256');
  privateKey = keys.privateKey;
  const app = await call(
    'POST',
    '/api/v2/clients',
    { name: APP_NAME, app_type: 'non_interactive', client_authentication_methods: { private_key_jwt: { credentials: [{ credential_type: 'public_key', name: 'key-1', pem: keys.publicKeyPem, alg: 'RS256' }] } } },
    token,
  );
  clientId = app.client_id;
  await call('POST', '/api/v2/client-grants', { client_id: clientId, audience: API, scope: ['read:orders'] }, token);
  // The ManagementClient block reads the application itself.
  await call('POST', '/api/v2/client-grants', { client_id: clientId, audience: management.audience, scope: ['read:clients'] }, token);
  writeFileSync(join(work, 'private.pem'), keys.privateKeyPem, { mode: 0o600 });
  // A project that installed the packages the blocks import (linked from this checkout: nothing is downloaded).
  symlinkSync(resolve('node_modules'), join(work, 'node_modules'));
});

after(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
  await dispatcher?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the README marks its Node snippets for this test, and uses only the placeholders it substitutes', () => {
  const blocks = markedBlocks(readFileSync('README.md', 'utf8'));
  assert.ok(blocks.length >= 2, `marked blocks: ${blocks.length}`);
  assert.ok(blocks.some((b) => b.includes("from 'auth0/legacy'") && b.includes('AuthenticationClient')), 'the AuthenticationClient snippet is marked');
  for (const b of blocks) assert.match(b, /'YOUR_DOMAIN'/);
});

test("every marked README block runs as printed with auth0 v7 and prints a token or the application's name", async () => {
  const blocks = markedBlocks(readFileSync('README.md', 'utf8'));
  for (const [i, block] of blocks.entries()) {
    const code = block.replaceAll('YOUR_DOMAIN', domain).replaceAll('YOUR_CLIENT_ID', clientId);
    const file = join(work, `snippet-${i + 1}.mjs`);
    writeFileSync(file, code);
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((done) =>
      execFile(process.execPath, [file], { cwd: work, env: { ...process.env, NODE_EXTRA_CA_CERTS: certFile }, encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) =>
        done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      ),
    );
    assert.equal(r.code, 0, `block ${i + 1} failed:\n${block}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    const printed = r.stdout.trim();
    if (/^[\w-]+\.[\w-]+\.[\w-]+$/.test(printed)) {
      const jwks = createLocalJWKSet((await (await undiciFetch(new URL('.well-known/jwks.json', issuer), { dispatcher })).json()) as never);
      const { payload } = await jwtVerify(printed, jwks, { issuer, audience: API });
      assert.equal(payload.azp, clientId);
      assert.equal(payload.scope, 'read:orders');
    } else {
      assert.equal(printed, APP_NAME, `block ${i + 1} printed neither a token nor the application's name:\n${block}`);
    }
  }
});

test("the README's audience refusals are, word for word, what a strict tenant answers", async () => {
  const readme = readFileSync('README.md', 'utf8');
  const block = /<!-- audience-refusals:start -->\s*```text\n([\s\S]*?)```\s*<!-- audience-refusals:end -->/.exec(readme)?.[1];
  assert.ok(block, 'README has the audience-refusals block');
  const quoted = block.trim().split('\n').map((line) => line.replaceAll('https://YOUR_DOMAIN/', issuer));
  const tokenEndpoint = `${issuer}oauth/token`;
  const described = async (aud: string | string[], lifetime = 60) => {
    const now = Math.floor(Date.now() / 1000);
    const assertion = await new SignJWT({}).setProtectedHeader({ alg: 'RS256' }).setIssuer(clientId).setSubject(clientId).setAudience(aud).setIssuedAt(now).setExpirationTime(now + lifetime).setJti(randomUUID()).sign(privateKey);
    const r = await undiciFetch(tokenEndpoint, {
      method: 'POST',
      dispatcher,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', audience: API, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion }).toString(),
    });
    const body = (await r.json()) as { error: string; error_description: string };
    assert.equal(r.status, 401);
    assert.equal(body.error, 'invalid_client');
    return body.error_description;
  };
  // authlib's default, openid-client <= 5.7.0 / express-openid-connect 2, and authlib's 1-hour lifetime.
  assert.deepEqual([await described(tokenEndpoint), await described([issuer, tokenEndpoint]), await described(tokenEndpoint, 3600)], quoted);
});
