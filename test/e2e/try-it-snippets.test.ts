/**
 * The dashboard's Try-it snippets run as printed. For a Signet on plain HTTP at localhost (what
 * `npm start` gives a new user), each snippet is generated with the values the dashboard shows
 * for the default tenant (localhost:PORT) and a second tenant ({name}.localhost:PORT), saved
 * next to a fresh private key and run with node or sh, the way a user would paste it: it must
 * print an access token that verifies against the tenant's JWKS. With a wrong client ID it must
 * print the server's error and exit non-zero.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { startSignet, type Harness, type TestTenant } from '../support/harness.ts';
import { createApi, createM2MApp, expectValidAccessToken, type CredentialAlg, type M2MApp } from '../support/fixtures.ts';
import { snippet, type SnippetId } from '../../src/web/credentials/snippets.ts';

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
  for (const pkg of ['jsonwebtoken', 'jose']) symlinkSync(resolve('node_modules', pkg), join(dir, 'node_modules', pkg));
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
  });
}
