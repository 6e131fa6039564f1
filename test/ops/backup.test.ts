import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startSignet } from '../support/harness.ts';
import { runSignet, startServe } from '../support/cli-run.ts';
import { freePort } from '../support/free-port.ts';
import { Database } from '../../src/store/sql/sqlite.ts';
import { LATEST_VERSION } from '../../src/store/sql/migrations.ts';

const kidOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()).kid as string;

test('signet backup copies the SQLite database while the server writes; the copy is consistent, private, and a restored copy serves', async (t) => {
  const h = await startSignet();
  const out = mkdtempSync(join(tmpdir(), 'signet-backup-'));
  t.after(async () => {
    await h.close().catch(() => undefined);
    rmSync(out, { recursive: true, force: true });
  });
  const management = h.defaultTenant.management;
  const firstToken = await h.defaultTenant.managementToken();
  const kid = kidOf(firstToken);
  // Bulk, so the copy is more than a few pages.
  for (let i = 0; i < 20_000; i++) h.services.store.logs.append({ tenantId: 'bulk', type: 'seccft', description: `event ${i} ${'x'.repeat(200)}`, date: Date.now() });
  await h.services.store.logs.flush();

  // Writers: applications one request at a time (one row each), tenants (many rows in one transaction each).
  const count = async (table: string) => Number((await h.services.store.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))!.n);
  let writing = true;
  let clientsMade = 0;
  const clients = (async () => {
    for (let i = 0; writing; i++) {
      const r = await h.defaultTenant.api('POST', '/clients', { name: `app ${i}`, app_type: 'non_interactive' });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      clientsMade++;
    }
  })();
  const tenants = (async () => {
    while (writing) await h.createTenant();
  })();
  while (clientsMade < 3) await new Promise((r) => setTimeout(r, 20));

  const file = join(out, 'signet-backup.db');
  const env = { SIGNET_DATA_DIR: h.dataDir, SIGNET_MASTER_KEY: h.config.masterKey.toString('hex') };
  const before = await count('clients');
  const r = await runSignet(['backup', file], env);
  const madeDuring = clientsMade;
  // One more write after the backup finished, so "after" is surely later than the copy.
  while (clientsMade === madeDuring) await new Promise((r) => setTimeout(r, 20));
  const after = await count('clients');
  writing = false;
  await Promise.all([clients, tenants]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`Backed up SQLite .*signet\\.db to ${file} \\(schema version ${LATEST_VERSION}, [\\d.]+ MB, integrity checked\\)`));
  assert.match(r.stdout, /useless without it \(SIGNET_MASTER_KEY\)/);
  assert.match(r.stdout, /To restore: stop Signet/);

  assert.equal(statSync(file).mode & 0o777, 0o600, 'the backup is readable by its owner only');
  assert.deepEqual(readdirSync(out), ['signet-backup.db'], 'one self-contained file: no -wal, no temporary file left');
  const copy = new Database(file, { readonly: true, fileMustExist: true });
  t.after(() => copy.close());
  assert.equal(copy.pragma('integrity_check', { simple: true }), 'ok');
  assert.deepEqual(copy.pragma('foreign_key_check'), []);
  const inCopy = (copy.prepare(`SELECT COUNT(*) AS n FROM clients`).get() as { n: number }).n;
  assert.ok(before <= inCopy && inCopy <= after, `the copy is one moment of the database (${before} <= ${inCopy} <= ${after})`);
  assert.ok(after > before, 'the server wrote while the backup ran');
  // Every tenant in the copy is whole: its keys, its Management API client and grant came in one transaction.
  const incomplete = copy
    .prepare(
      `SELECT t.name FROM tenants t WHERE
         (SELECT COUNT(*) FROM signing_keys k WHERE k.tenant_id = t.id) < 2
         OR (SELECT COUNT(*) FROM resource_servers r WHERE r.tenant_id = t.id AND r.is_system = 1) <> 1
         OR (SELECT COUNT(*) FROM clients c WHERE c.tenant_id = t.id) < 1
         OR (SELECT COUNT(*) FROM client_grants g WHERE g.tenant_id = t.id) < 1
         OR (SELECT COUNT(*) FROM domains d WHERE d.tenant_id = t.id) < 1`,
    )
    .all();
  assert.deepEqual(incomplete, []);
  assert.ok((copy.prepare(`SELECT COUNT(*) AS n FROM tenants`).get() as { n: number }).n >= 1);
  assert.equal((copy.prepare(`SELECT COUNT(*) AS n FROM log_events WHERE tenant_id = 'bulk'`).get() as { n: number }).n, 20_000);
  assert.ok(!readFileSync(file).includes(management.client_secret), 'secrets are sealed in the copy too');

  // An existing file is refused without --force, and left as it was.
  const again = await runSignet(['backup', file], env);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already exists: give a new file, or add --force to replace it/);
  assert.equal(copy.pragma('integrity_check', { simple: true }), 'ok', 'the refused run left the backup alone');
  const other = join(out, 'other.db');
  writeFileSync(other, 'precious');
  assert.equal((await runSignet(['backup', other], env)).code, 1);
  assert.equal(readFileSync(other, 'utf8'), 'precious');
  const forced = await runSignet(['backup', other, '--force'], env);
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(statSync(other).mode & 0o777, 0o600);

  // Restore: the copy as the database of a new data directory, with the same master key.
  await h.close();
  const restored = mkdtempSync(join(tmpdir(), 'signet-restored-'));
  t.after(() => rmSync(restored, { recursive: true, force: true }));
  copyFileSync(file, join(restored, 'signet.db'));
  const server = await startServe({ SIGNET_DATA_DIR: restored, SIGNET_MASTER_KEY: env.SIGNET_MASTER_KEY }, await freePort());
  t.after(() => server.stop());
  const tok = await fetch(new URL('oauth/token', server.url), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: management.client_id, client_secret: management.client_secret, audience: `${server.url}api/v2/` }),
  });
  const body = (await tok.json()) as { access_token: string };
  assert.equal(tok.status, 200, JSON.stringify(body));
  assert.equal(kidOf(body.access_token), kid, 'signed by the same signing key');
  const list = await fetch(new URL('api/v2/clients?per_page=100&include_totals=true', server.url), { headers: { authorization: `Bearer ${body.access_token}` } });
  assert.equal(list.status, 200);
  assert.equal(((await list.json()) as { total: number }).total, Number((copy.prepare(`SELECT COUNT(*) AS n FROM clients c JOIN tenants t ON t.id = c.tenant_id WHERE t.name = 'default'`).get() as { n: number }).n));
  assert.equal(await server.stop(), 0);
});

test('signet backup refuses PostgreSQL with the pg_dump command to use, and an in-memory database', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-backup-pg-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'b.db');
  const pg = await runSignet(['backup', file], { SIGNET_DATA_DIR: dir, SIGNET_DATABASE_URL: 'postgres://signet:hunter2@db.internal:5432/signet' });
  assert.equal(pg.code, 2);
  assert.match(pg.stderr, /this Signet uses the PostgreSQL database signet on db\.internal:5432/);
  assert.match(pg.stderr, /pg_dump --format=custom --file=signet\.dump "\$SIGNET_DATABASE_URL"/);
  assert.match(pg.stderr, /pg_restore --no-owner --exit-on-error --dbname="\$SIGNET_DATABASE_URL" signet\.dump/);
  assert.doesNotMatch(pg.stderr + pg.stdout, /hunter2/, 'the password in the URL is never printed');
  assert.equal(existsSync(file), false);
  const mem = await runSignet(['backup', file], { SIGNET_DATA_DIR: dir, SIGNET_DATABASE_URL: 'sqlite::memory:' });
  assert.equal(mem.code, 2);
  assert.match(mem.stderr, /in memory/);
  const missing = await runSignet(['backup', file], { SIGNET_DATA_DIR: join(dir, 'nothing-here') });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /There is no database at .*nothing-here\/signet\.db to back up/);
  assert.equal(existsSync(join(dir, 'nothing-here')), false, 'nothing is created');
  assert.equal((await runSignet(['backup'], { SIGNET_DATA_DIR: dir })).code, 2);
});
