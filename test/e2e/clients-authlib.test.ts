/**
 * Python's authlib (Debian's python3-authlib 1.2 with python3-requests), unmodified, driven by
 * a small script (fixtures/authlib_token.py) against a Signet on http://localhost:
 * - signing with aud = the issuer (RFC 7523bis), it gets a token from a strict tenant;
 * - with authlib's defaults (aud = the token endpoint URL, a 1-hour exp) a strict tenant refuses
 *   it with the messages the README quotes: first for the lifetime, then, with a 1-hour
 *   max_assertion_lifetime, for the audience;
 * - a tenant on the legacy audience policy (and a 1-hour lifetime) accepts authlib's defaults and
 *   logs the success with legacy_audience.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startSignet, type Harness } from '../support/harness.ts';
import { requirePythonAuthlib, SYSTEM_PYTHON } from '../support/services.ts';
import { createM2MApp, expectValidAccessToken, type M2MApp } from '../support/fixtures.ts';
import { logsOfType } from '../support/refusal-helpers.ts';

const SCRIPT = resolve('test/e2e/fixtures/authlib_token.py');

let h: Harness;
let app: M2MApp;
let keyFile: string;
let work: string;
before(async () => {
  h = await startSignet({ localHttp: true });
  app = await createM2MApp(h.defaultTenant, { name: 'python worker' });
  work = mkdtempSync(join(tmpdir(), 'signet-authlib-'));
  keyFile = join(work, 'private.pem');
  writeFileSync(keyFile, app.privateKeyPem, { mode: 0o600 });
});
after(async () => {
  await h?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

function authlib(issuer?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const tenant = h.defaultTenant;
  const args = [SCRIPT, `${tenant.issuer}oauth/token`, app.clientId, keyFile, app.audience, ...(issuer ? [issuer] : [])];
  return new Promise((done) =>
    execFile(SYSTEM_PYTHON, args, { encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr })),
  );
}

const settings = async (patch: Record<string, unknown>) => {
  const r = await h.defaultTenant.api('PATCH', '/tenants/settings', patch);
  assert.equal(r.status, 200, JSON.stringify(r.body));
};

test('authlib signing with aud = the issuer gets a token from a strict tenant', async (t) => {
  if (!requirePythonAuthlib(t)) return;
  assert.equal(h.defaultTenant.issuer, `http://localhost:${h.port}/`);
  const r = await authlib(h.defaultTenant.issuer);
  assert.equal(r.code, 0, r.stderr);
  await expectValidAccessToken(h, h.defaultTenant, r.stdout.trim(), { clientId: app.clientId, audience: app.audience, scope: app.scope });
  const ok = (await logsOfType(h.defaultTenant, 'seccft')).filter((e) => e.client_id === app.clientId);
  assert.equal(ok.length, 1);
  assert.equal(ok[0].details.legacy_audience, undefined);
});

test("authlib's defaults against a strict tenant: refused for the 1-hour lifetime, then (lifetime raised) for the token endpoint audience", async (t) => {
  if (!requirePythonAuthlib(t)) return;
  const issuer = h.defaultTenant.issuer;
  const lifetime = await authlib();
  assert.equal(lifetime.code, 1);
  assert.equal(lifetime.stderr.trim(), "invalid_client: 'exp' claim must specify a time that is no more than 5 minutes after 'iat' (got 3600 seconds)");

  await settings({ max_assertion_lifetime: 3600 });
  t.after(() => settings({ max_assertion_lifetime: 300 }));
  const audience = await authlib();
  assert.equal(audience.code, 1);
  assert.equal(audience.stderr.trim(), `invalid_client: 'aud' must be the issuer identifier '${issuer}' as a single string; the token endpoint URL is no longer accepted as the audience`);
});

test("authlib's defaults against a legacy tenant: a token, and the success is logged with legacy_audience", async (t) => {
  if (!requirePythonAuthlib(t)) return;
  await settings({ audience_policy: 'legacy', max_assertion_lifetime: 3600 });
  t.after(() => settings({ audience_policy: 'strict', max_assertion_lifetime: 300 }));
  const r = await authlib();
  assert.equal(r.code, 0, r.stderr);
  const token = r.stdout.trim();
  await expectValidAccessToken(h, h.defaultTenant, token, { clientId: app.clientId, audience: app.audience, scope: app.scope });
  const legacy = (await logsOfType(h.defaultTenant, 'seccft')).filter((e) => e.client_id === app.clientId && e.details.legacy_audience === true);
  assert.equal(legacy.length, 1, 'the legacy success is logged as such');
});
