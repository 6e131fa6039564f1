/**
 * `signet keys list|rotate|revoke --tenant NAME`, run as a user runs them, against the
 * database of a server that is running: the server signs with the rotated key within its
 * documented bound (the tenant stamp check, about a second) without a restart.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { decodeProtectedHeader } from 'jose';
import { startSignet, type Harness } from './support/harness.ts';
import { createApi, grantAccess } from './support/fixtures.ts';

const bin = resolve('bin/signet.js');
let h: Harness;
let env: NodeJS.ProcessEnv;

before(async () => {
  h = await startSignet();
  env = {
    ...process.env,
    SIGNET_DATA_DIR: h.dataDir,
    SIGNET_MASTER_KEY: h.config.masterKey.toString('hex'),
    SIGNET_PUBLIC_URL: h.config.publicUrl.href.replace(/\/$/, ''),
  };
});
after(() => h.close());

async function signet(...args: string[]): Promise<string> {
  return (await promisify(execFile)(process.execPath, [bin, ...args], { env, encoding: 'utf8' })).stdout;
}

async function signetFails(args: string[], message: RegExp): Promise<void> {
  await assert.rejects(promisify(execFile)(process.execPath, [bin, ...args], { env, encoding: 'utf8' }), (err: { stderr: string; code: number }) => {
    assert.equal(err.code, 1);
    assert.match(err.stderr, message);
    return true;
  });
}

test('keys list, rotate and revoke from the command line; the running server follows within about a second', async () => {
  const tenant = await h.createTenant();
  const audience = await createApi(tenant);
  await grantAccess(tenant, tenant.management.client_id, audience, ['read:things']);
  const token = async () => {
    const r = await h.token(tenant, { grant_type: 'client_credentials', client_id: tenant.management.client_id, client_secret: tenant.management.client_secret, audience });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return decodeProtectedHeader(r.body.access_token).kid;
  };

  const listed = JSON.parse(await signet('keys', 'list', '--tenant', tenant.tenant, '--json'));
  const current = listed.find((k: any) => k.current);
  const next = listed.find((k: any) => k.next);
  assert.equal(listed.length, 2);
  assert.equal(await token(), current.kid);
  assert.doesNotMatch(JSON.stringify(listed), /PRIVATE KEY|"d":/);

  const rotated = JSON.parse(await signet('keys', 'rotate', '--tenant', tenant.tenant, '--json'));
  assert.equal(rotated.kid, next.kid);
  assert.equal(rotated.current, true);
  // Another process changed the keys: this server sees it at its next stamp check.
  const deadline = Date.now() + 1500;
  let kid = await token();
  while (kid !== next.kid && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    kid = await token();
  }
  assert.equal(kid, next.kid, 'the server signs with the rotated key within 1.5 s');

  const text = await signet('keys', 'list', '--tenant', tenant.tenant);
  assert.match(text, new RegExp(`^${next.kid}\\tcurrent\\t`, 'm'));
  assert.match(text, new RegExp(`^${current.kid}\\tprevious\\t`, 'm'));
  assert.match(text, /\tnext\t/);

  await signetFails(['keys', 'revoke', '--tenant', tenant.tenant, '--', next.kid], /current signing key cannot be revoked/);
  // `--` as the rotate command's hint prints it: a kid may begin with '-'.
  assert.match(await signet('keys', 'revoke', '--tenant', tenant.tenant, '--', current.kid), /Revoked/);
  const jwks = (await (await h.fetch(new URL('.well-known/jwks.json', tenant.issuer))).json()) as { keys: { kid: string }[] };
  assert.ok(!jwks.keys.some((k) => k.kid === current.kid), 'the revoked key is gone from the JWKS');

  await h.services.store.logs.flush();
  const t = (await h.services.store.tenants.getByName(tenant.tenant))!;
  const events = await h.services.store.logs.list(t.id, { type: 'sapi' });
  assert.ok(events.some((e) => e.description === 'Rotate the Application Signing Key' && e.details.via === 'cli' && e.details.kid === next.kid));
  assert.ok(events.some((e) => e.description === 'Revoke an Application Signing Key' && e.details.via === 'cli' && e.details.kid === current.kid));
});

test('keys commands refuse what they cannot do, by name', async () => {
  await signetFails(['keys', 'rotate'], /needs --tenant NAME/);
  await signetFails(['keys', 'rotate', '--tenant', 'no-such-tenant'], /No tenant named "no-such-tenant"/);
  await signetFails(['keys', 'rotate', 'extra', '--tenant', 'default'], /takes no arguments besides --tenant \(got "extra"\)/);
  await signetFails(['keys', 'revoke', '--tenant', 'default'], /needs exactly one KID/);
  await signetFails(['keys', 'revoke', 'nope', '--tenant', 'default'], /Signing key not found/);
  await signetFails(['keys', 'revoke', '--tenant', 'default', '--', '-starts-with-a-dash'], /Signing key not found/);
});
