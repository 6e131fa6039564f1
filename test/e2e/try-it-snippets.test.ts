/**
 * The dashboard's Try-it snippets run as printed. For a Signet on plain HTTP at localhost (what
 * `npm start` gives a new user), each snippet is generated with the values the dashboard shows
 * for the default tenant (localhost:PORT) and a second tenant ({name}.localhost:PORT), saved
 * next to a fresh private key and run with node or sh, the way a user would paste it: it must
 * print an access token that verifies against the tenant's JWKS. With a wrong client ID it must
 * print the server's error and exit non-zero.
 *
 * The express-openid-connect example (Regular Web Applications) is a web app: it is saved as
 * app.mjs and checked with `node --check`, then started (on a free port instead of 3001) next to
 * the real express and express-openid-connect packages, whose configuration schema refuses any
 * unknown or misspelt option at start-up; the running app must answer its home page.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { startSignet, type Harness, type TestTenant } from '../support/harness.ts';
import { createApi, createM2MApp, expectValidAccessToken, type CredentialAlg, type M2MApp } from '../support/fixtures.ts';
import { EXPRESS_BASE_URL, EXPRESS_PORT, snippet, type SnippetId } from '../../src/web/credentials/snippets.ts';
import { freePort } from '../support/free-port.ts';

const EMAIL = 'snippets@example.com';
const PASSWORD = 'snippet test passphrase';

interface DashboardTenant {
  name: string;
  issuer: string;
  token_endpoint: string;
}

let h: Harness;
let work: string;

/** The tenant list as the dashboard receives it, through a real session. */
async function tenantsAsTheDashboardSeesThem(): Promise<DashboardTenant[]> {
  const origin = `http://localhost:${h.port}`;
  const signIn = await h.fetch(`${origin}/dashboard/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin },
    body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
  });
  assert.equal(signIn.status, 200, await signIn.clone().text());
  const { csrf_token } = (await signIn.json()) as { csrf_token: string };
  const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
  const res = await h.fetch(`${origin}/dashboard/api/tenants`, { headers: { cookie, 'x-csrf-token': csrf_token, accept: 'application/json' } });
  assert.equal(res.status, 200);
  return (await res.json()) as DashboardTenant[];
}

before(async () => {
  h = await startSignet({ localHttp: true });
  await h.services.admins.create(EMAIL, PASSWORD);
  work = mkdtempSync(join(tmpdir(), 'signet-snippets-'));
});
after(async () => {
  await h?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/**
 * A directory as a user's project would be after `npm install jsonwebtoken jose` (and signet,
 * for `npx signet`): the packages are linked from this checkout, so nothing is downloaded.
 */
function projectDir(name: string, privateKeyPem: string): string {
  const dir = join(work, name);
  mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
  for (const pkg of ['jsonwebtoken', 'jose', 'express', 'express-openid-connect']) symlinkSync(resolve('node_modules', pkg), join(dir, 'node_modules', pkg));
  symlinkSync(resolve('.'), join(dir, 'node_modules', 'signet'));
  symlinkSync(join('..', 'signet', 'bin', 'signet.js'), join(dir, 'node_modules', '.bin', 'signet'));
  writeFileSync(join(dir, 'private.pem'), privateKeyPem, { mode: 0o600 });
  return dir;
}

/**
 * Saves the snippet as a user would (token.mjs or token.sh) and runs it there. Asynchronously:
 * the server answering it runs in this process.
 */
function runSnippet(id: SnippetId, code: string, dir: string): Promise<{ status: number | string | null; stdout: string; stderr: string }> {
  const shell = id === 'curl' || id === 'signet';
  const file = join(dir, shell ? 'token.sh' : 'token.mjs');
  writeFileSync(file, code);
  const child = spawn(shell ? 'sh' : process.execPath, [file], {
    cwd: dir,
    timeout: 120_000,
    // npx must find the linked signet and never reach for the registry.
    env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}`, npm_config_offline: 'true', npm_config_update_notifier: 'false' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ status: code ?? signal, stdout, stderr }));
  });
}

/**
 * Starts the express-openid-connect example on `port` (the one change from the printed text: the
 * port, so parallel runs do not collide on 3000) and resolves once it listens, or with its exit
 * status and output if it stops first (a refused option stops it at start-up).
 */
async function startWebApp(code: string, dir: string, port: number): Promise<{ listening: boolean; output: string; stop: () => void }> {
  const file = join(dir, 'app.mjs');
  writeFileSync(file, code.replaceAll(EXPRESS_BASE_URL, `http://localhost:${port}`).replace(`app.listen(${EXPRESS_PORT},`, `app.listen(${port},`));
  const child = spawn(process.execPath, [file], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (child.kill(), reject(new Error(`the app did not start in 30 s:\n${output}`))), 30_000);
    const onData = (d: string) => {
      output += d;
      if (output.includes(`Listening on http://localhost:${port}`)) {
        clearTimeout(timer);
        resolve({ listening: true, output, stop: () => child.kill() });
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ listening: false, output: `exit ${status}\n${output}`, stop: () => {} });
    });
  });
}

/** `node --check`: the file parses as JavaScript (an ES module, by its .mjs name). */
function nodeCheck(code: string, dir: string): Promise<{ status: number | string | null; stderr: string }> {
  const file = join(dir, 'check.mjs');
  writeFileSync(file, code);
  const child = spawn(process.execPath, ['--check', file], { cwd: dir });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status: status ?? signal, stderr }));
  });
}

/** The access token a snippet printed: the bare token, or the JSON body curl prints. */
function printedToken(id: SnippetId, stdout: string): string {
  const out = stdout.trim();
  return id === 'curl' ? (JSON.parse(out) as { access_token: string }).access_token : out;
}

const SNIPPETS: SnippetId[] = ['jsonwebtoken', 'jose', 'curl', 'signet'];

for (const scenario of [
  { label: 'the default tenant at localhost:PORT', tenant: 'default', alg: 'RS256' as CredentialAlg },
  { label: 'a second tenant at {name}.localhost:PORT', tenant: 'second', alg: 'ES256' as CredentialAlg },
]) {
  describe(`Try-it snippets for ${scenario.label} (${scenario.alg})`, { concurrency: false }, () => {
    let tenant: TestTenant;
    let app: M2MApp;
    let shown: DashboardTenant;
    let dir: string;

    before(async () => {
      tenant = scenario.tenant === 'default' ? h.defaultTenant : await h.createTenant('enterprise', `snip${process.pid}`);
      // An identifier with characters a shell or a form body would mangle if left unquoted.
      const audience = await createApi(tenant, `https://orders.example/${scenario.tenant}?v=1&x=a+b's`, ['read:orders']);
      app = await createM2MApp(tenant, { alg: scenario.alg, audience, scopes: ['read:orders'] });
      shown = (await tenantsAsTheDashboardSeesThem()).find((t) => t.name === tenant.tenant)!;
      assert.ok(shown, `the dashboard lists ${tenant.tenant}`);
      if (scenario.tenant !== 'default') assert.match(new URL(shown.issuer).hostname, /^[a-z0-9-]+\.localhost$/);
      dir = projectDir(scenario.tenant, app.privateKeyPem);
    });

    const input = (clientId: string) => ({ clientId, issuer: shown.issuer, tokenEndpoint: shown.token_endpoint, apiAudience: app.audience, alg: app.alg });

    for (const id of SNIPPETS) {
      test(`${id}: runs as printed and prints an access token`, async () => {
        const r = await runSnippet(id, snippet(id, input(app.clientId)), dir);
        assert.equal(r.status, 0, `exit ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
        await expectValidAccessToken(h, tenant, printedToken(id, r.stdout), { clientId: app.clientId, audience: app.audience, scope: 'read:orders' });
      });

      test(`${id}: with a wrong client ID prints the server's error and exits non-zero`, async () => {
        const r = await runSnippet(id, snippet(id, input('NoSuchClient0000000000000000000')), dir);
        assert.notEqual(r.status, 0, `must fail\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
        assert.match(r.stdout + r.stderr, /invalid_client/, 'the server error is shown');
        assert.doesNotMatch(r.stdout, /^undefined$/m);
      });
    }

    test('express-openid-connect: parses, passes the library\'s option schema and serves its home page', async () => {
      const web = await tenant.api('POST', '/clients', { name: `web ${scenario.tenant}`, app_type: 'regular_web' });
      assert.equal(web.status, 201, JSON.stringify(web.body));
      const code = snippet('express-openid-connect', { ...input(web.body.client_id), sessionSecret: 'a8Jq2xV0-session-secret-for-the-test' });
      assert.ok(code.includes(`issuerBaseURL: '${shown.issuer}'`) && code.includes(`clientID: '${web.body.client_id}'`), code);
      assert.ok(code.includes(`clientAssertionSigningAlg: '${app.alg}'`));
      assert.ok(code.includes(`${EXPRESS_BASE_URL}/callback`) && code.includes("response_type: 'code'"));

      const checked = await nodeCheck(code, dir);
      assert.equal(checked.status, 0, checked.stderr);

      const port = await freePort();
      const started = await startWebApp(code, dir, port);
      try {
        assert.ok(started.listening, started.output);
        const home = await fetch(`http://localhost:${port}/`);
        assert.equal(home.status, 200);
        assert.match(await home.text(), /Signed out\. <a href="\/login">Log in<\/a>/);
      } finally {
        started.stop();
      }
    });

    test('express-openid-connect: a misspelt option is refused by the library at start-up (so the check above would notice one)', async () => {
      const code = snippet('express-openid-connect', input(app.clientId)).replace('authRequired:', 'authRequire:');
      assert.equal((await nodeCheck(code, dir)).status, 0, 'still valid JavaScript');
      const started = await startWebApp(code, dir, await freePort());
      started.stop();
      assert.equal(started.listening, false);
      assert.match(started.output, /"authRequire" is not allowed/);
    });
  });
}
