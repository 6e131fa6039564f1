import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { jwkThumbprint } from '../src/domain/credentials/index.ts';

const bin = resolve('bin/signet.js');
const run = (args: string[], env: NodeJS.ProcessEnv, cwd?: string) => execFileSync(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, cwd, encoding: 'utf8' });

test('signet tenants create --json prints the tenant, its domain and Management API credentials', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const env = { SIGNET_DATA_DIR: dir, SIGNET_PUBLIC_URL: 'http://localhost:3000' };
  const out = JSON.parse(run(['tenants', 'create', 'acme', '--plan', 'professional', '--json'], env));
  assert.deepEqual(Object.keys(out).sort(), ['domain', 'issuer', 'management', 'plan', 'tenant']);
  assert.equal(out.tenant, 'acme');
  assert.equal(out.plan, 'professional');
  assert.equal(out.domain, 'acme.localhost:3000');
  assert.equal(out.issuer, 'http://acme.localhost:3000/');
  assert.equal(out.management.audience, 'http://acme.localhost:3000/api/v2/');
  assert.match(out.management.client_id, /^[0-9A-Za-z]{32}$/);
  assert.ok(out.management.client_secret.length >= 43);
  // The secret is encrypted at rest: it is not in the database file.
  assert.ok(!readFileSync(join(dir, 'signet.db')).includes(out.management.client_secret));
  assert.equal((statSync(join(dir, 'master.key')).mode & 0o777), 0o600);
  assert.throws(() => run(['tenants', 'create', 'acme', '--json'], env), /already exists/);
  assert.throws(() => run(['tenants', 'create', 'Bad_Name', '--json'], env));
  assert.throws(() => run(['tenants', 'create', 'other', '--plan', 'gold'], env), /Unknown plan/);
  const again = JSON.parse(run(['tenants', 'credentials', 'acme', '--json'], env));
  assert.deepEqual(again.management, out.management);
  assert.match(run(['tenants', 'add-domain', 'acme', 'Auth.Acme.example'], env), /http:\/\/auth\.acme\.example\//);
  assert.throws(() => run(['tenants', 'add-domain', 'acme', 'auth.acme.example'], env), /already served/);
  assert.throws(() => run(['tenants', 'add-domain', 'acme', 'bad host/'], env), /needs a host/);
  const listed = JSON.parse(run(['tenants', 'list', '--json'], env)).find((r: { tenant: string }) => r.tenant === 'acme');
  assert.deepEqual(listed.custom_domains, ['auth.acme.example']);
});

test('signet keys generate writes a PKCS#8 private key with mode 0600 and prints the public key and its kid', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-keys-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out = JSON.parse(run(['keys', 'generate', '--out', 'k.pem', '--json'], {}, dir));
  const file = join(dir, 'k.pem');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const pem = readFileSync(file, 'utf8');
  assert.match(pem, /^-----BEGIN PRIVATE KEY-----/);
  const pub = createPublicKey(createPrivateKey(pem));
  assert.equal(out.public_key_pem, pub.export({ type: 'spki', format: 'pem' }));
  assert.equal(out.kid, jwkThumbprint(pub.export({ format: 'jwk' })));
  assert.ok(!JSON.stringify(out).includes(pem.split('\n')[1]!), 'the private key is never printed');
  assert.throws(() => run(['keys', 'generate', '--out', 'k.pem'], {}, dir), /already exists/);
  const ec = JSON.parse(run(['keys', 'generate', '--alg', 'ES256', '--out', 'ec.pem', '--json'], {}, dir));
  assert.equal(createPublicKey(ec.public_key_pem).asymmetricKeyDetails?.namedCurve, 'prime256v1');
});

test('first start creates the default tenant and says how to get its credentials, once', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-first-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const start = async () => {
    const p = spawn(process.execPath, [bin, 'serve'], { env: { ...process.env, PORT: '0', SIGNET_DATA_DIR: dir }, stdio: ['ignore', 'pipe', 'inherit'] });
    // The signal, when the process died of one, says more than a null exit code.
    const exited = new Promise<number | string | null>((r) => p.once('exit', (code, signal) => r(code ?? signal)));
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    // Generous: a loaded CI machine can take seconds to load TypeScript and make the tenant's key.
    for (let i = 0; i < 600 && !out.includes('serving'); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(out, /serving/, 'the server started');
    p.kill('SIGTERM');
    assert.equal(await exited, 0, 'a clean shutdown exits 0');
    return out;
  };
  const first = await start();
  assert.match(first, /Created the default tenant/);
  assert.match(first, /signet tenants credentials default/);
  assert.match(first, /Dashboard: http:\/\/localhost:\d+\/dashboard\//);
  assert.match(first, /No dashboard admin yet\. Create one: npx signet admins create you@example\.com/);
  const second = await start();
  assert.doesNotMatch(second, /Created the default tenant/);
});

test('signet admins create reads the password from stdin, stores only a scrypt hash, and refuses weak passwords and duplicates', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-admins-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const env = { ...process.env, SIGNET_DATA_DIR: dir, SIGNET_PUBLIC_URL: 'http://localhost:3000' };
  const admin = (args: string[], input: string) => execFileSync(process.execPath, [bin, 'admins', ...args], { env, input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  const password = 'a long enough passphrase';
  assert.match(admin(['create', 'Ops@Example.com'], `${password}\n`), /Created admin ops@example\.com\. Sign in at http:\/\/localhost:3000\/dashboard\//);
  assert.throws(() => admin(['create', 'ops@example.com'], `${password}\n`), /already exists/);
  assert.throws(() => admin(['create', 'short@example.com'], 'short\n'), /at least 12 characters/);
  assert.throws(() => admin(['create', 'not-an-email'], `${password}\n`), /not an email address/);
  assert.throws(() => admin(['create', 'empty@example.com'], ''), /No password on stdin/);
  assert.match(admin(['list'], ''), /^ops@example\.com\tcreated /);
  // The password itself is nowhere in the database file.
  const db = readFileSync(join(dir, 'signet.db'));
  assert.ok(!db.includes(password));
  assert.ok(db.includes('scrypt$131072$8$1$'));
  // set-password still hashes (on the worker thread) and the process exits when done.
  assert.match(admin(['set-password', 'ops@example.com'], 'another long passphrase\n'), /Password changed for ops@example\.com/);
  assert.match(admin(['delete', 'ops@example.com'], ''), /Deleted admin/);
  assert.equal(admin(['list'], ''), '');
  // The platform audit log, oldest first.
  const audit = admin(['audit'], '').trim().split('\n');
  assert.deepEqual(audit.map((l) => l.split('\t').slice(1, 3).join(' ')), ['admin_created ops@example.com via cli', 'admin_password_changed ops@example.com via cli', 'admin_deleted ops@example.com via cli']);
  assert.match(audit[0]!, /^\d{4}-\d\d-\d\dT/);
  assert.equal(admin(['audit', '--limit', '1'], '').trim().split('\n').length, 1);
  assert.throws(() => admin(['audit', '--limit', '0'], ''), /--limit N/);
});
