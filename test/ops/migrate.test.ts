import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openDb, type Db } from '../../src/store/sql/db.ts';
import { LATEST_VERSION, MIGRATIONS, SchemaNewerError, migrate, schemaVersion } from '../../src/store/sql/migrations.ts';
import { freshPostgresDatabase, requirePostgres } from '../support/services.ts';
import { runSignet } from '../support/cli-run.ts';

/** A fresh database of each kind: SQLite in a temporary directory, PostgreSQL as a new database on the test server. */
const kinds = [
  {
    name: 'SQLite',
    async fresh(_t: unknown) {
      const dir = mkdtempSync(join(tmpdir(), 'signet-migrate-'));
      return { url: `sqlite:${join(dir, 'signet.db')}`, dir, async drop() { rmSync(dir, { recursive: true, force: true }); } };
    },
  },
  {
    name: 'PostgreSQL',
    async fresh(t: { skip(msg: string): void }) {
      if (!(await requirePostgres(t))) return undefined;
      const dir = mkdtempSync(join(tmpdir(), 'signet-migrate-'));
      const pgdb = await freshPostgresDatabase();
      return { url: pgdb.url, dir, async drop() { await pgdb.drop(); rmSync(dir, { recursive: true, force: true }); } };
    },
  },
];

async function tableExists(db: Db, name: string): Promise<boolean> {
  const row =
    db.dialect === 'postgres'
      ? await db.get<{ t: string | null }>(`SELECT to_regclass(?)::text AS t`, [name])
      : await db.get<{ t: string }>(`SELECT name AS t FROM sqlite_master WHERE type = 'table' AND name = ?`, [name]);
  return Boolean(row?.t);
}

async function columns(db: Db, table: string): Promise<string[]> {
  const rows =
    db.dialect === 'postgres'
      ? await db.all<{ c: string }>(`SELECT column_name AS c FROM information_schema.columns WHERE table_name = ? AND table_schema = current_schema()`, [table])
      : await db.all<{ c: string }>(`SELECT name AS c FROM pragma_table_info(?)`, [table]);
  return rows.map((r) => r.c).sort();
}

/** A last migration that fails on its second statement, after its first one worked. */
const FAILING = `CREATE TABLE half_done (x INTEGER); INSERT INTO no_such_table (x) VALUES (1)`;

for (const kind of kinds) {
  test(`${kind.name}: signet migrate applies every migration once and then says the database is up to date`, async (t) => {
    const db0 = await kind.fresh(t);
    if (!db0) return;
    const opened: Db[] = [];
    t.after(async () => {
      for (const d of opened) await d.close().catch(() => undefined);
      await db0.drop();
    });
    const env = { SIGNET_DATA_DIR: db0.dir, SIGNET_DATABASE_URL: db0.url };
    const first = await runSignet(['migrate'], env);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, new RegExp(`Applied migrations 1-${LATEST_VERSION} to .*: schema version 0 -> ${LATEST_VERSION}\\.`));
    assert.doesNotMatch(first.stdout, /postgres(ql)?:\/\//, 'the URL (which may hold a password) is not printed');
    const second = await runSignet(['migrate'], env);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, new RegExp(`The database is up to date \\(.*, schema version ${LATEST_VERSION}\\)\\.`));
    const db = await openDb(db0.url);
    opened.push(db);
    assert.equal(await schemaVersion(db), LATEST_VERSION);
    assert.equal((await db.all(`SELECT version FROM schema_migrations`)).length, LATEST_VERSION);
  });

  test(`${kind.name}: a failing migration leaves nothing applied, from an empty database or an older schema`, async (t) => {
    const db0 = await kind.fresh(t);
    if (!db0) return;
    const opened: Db[] = [];
    t.after(async () => {
      for (const d of opened) await d.close().catch(() => undefined);
      await db0.drop();
    });
    const db = await openDb(db0.url);
    opened.push(db);
    const withFailure = [...MIGRATIONS, FAILING];

    // Empty database: not even the first migration, nor the bookkeeping table, survives.
    await assert.rejects(migrate(db, withFailure.length, withFailure), /no_such_table/);
    assert.equal(await schemaVersion(db), 0);
    assert.equal(await tableExists(db, 'schema_migrations'), false);
    assert.equal(await tableExists(db, 'tenants'), false);
    assert.equal(await tableExists(db, 'half_done'), false);

    // An older schema with data: the pending migrations (8 onwards rebuild log_events) are all undone.
    await migrate(db, 7);
    await db.run(`INSERT INTO log_events (id, tenant_id, date, type, description, client_id, client_name, ip, user_agent, details) VALUES ('e1', 't1', 1000, 'seccft', 'd', 'c', NULL, NULL, NULL, '{}')`);
    const before = await columns(db, 'log_events');
    await assert.rejects(migrate(db, withFailure.length, withFailure), /no_such_table/);
    assert.equal(await schemaVersion(db), 7, 'still at the version it had');
    assert.deepEqual(await columns(db, 'log_events'), before, 'log_events keeps its old shape');
    assert.ok(!(await columns(db, 'log_events')).includes('seq'));
    assert.equal(await tableExists(db, 'users'), false, 'no table of a later migration');
    assert.equal(await tableExists(db, 'log_sequences'), false);
    assert.deepEqual(await db.all(`SELECT id, date FROM log_events`), [{ id: 'e1', date: 1000 }]);

    // The same pending migrations without the failing one then apply as usual.
    const r = await migrate(db);
    assert.deepEqual(r, { from: 7, to: LATEST_VERSION, applied: Array.from({ length: LATEST_VERSION - 7 }, (_, i) => i + 8) });
  });

  test(`${kind.name}: a database newer than the code is refused by migrate and by serve, naming both versions`, async (t) => {
    const db0 = await kind.fresh(t);
    if (!db0) return;
    const opened: Db[] = [];
    t.after(async () => {
      for (const d of opened) await d.close().catch(() => undefined);
      await db0.drop();
    });
    const db = await openDb(db0.url);
    await migrate(db);
    const newer = LATEST_VERSION + 2;
    await db.run(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, [newer, Date.now()]);
    await assert.rejects(migrate(db), (err: unknown) => {
      assert.ok(err instanceof SchemaNewerError);
      assert.equal(err.databaseVersion, newer);
      assert.equal(err.codeVersion, LATEST_VERSION);
      return true;
    });
    await db.close();

    const env = { SIGNET_DATA_DIR: db0.dir, SIGNET_DATABASE_URL: db0.url, SIGNET_MASTER_KEY: randomBytes(32).toString('hex'), PORT: '0' };
    const versions = new RegExp(`schema is at version ${newer}, newer than this Signet knows \\(version ${LATEST_VERSION}\\)`);
    const m = await runSignet(['migrate'], env);
    assert.equal(m.code, 1);
    assert.match(m.stderr, versions);
    const s = await runSignet(['serve'], env, { timeoutMs: 30_000 });
    assert.equal(s.code, 1, 'serve exits (it does not hang on an open pool) with an error');
    assert.match(s.stderr, versions);
    assert.doesNotMatch(s.stdout, /serving/);
    // Nothing was written by the refused start (no default tenant).
    const after = await openDb(db0.url);
    opened.push(after);
    assert.deepEqual(await after.all(`SELECT id FROM tenants`), []);
  });

  test(`${kind.name}: processes starting at once migrate the database once`, async (t) => {
    const db0 = await kind.fresh(t);
    if (!db0) return;
    const opened: Db[] = [];
    t.after(async () => {
      for (const d of opened) await d.close().catch(() => undefined);
      await db0.drop();
    });
    const env = { SIGNET_DATA_DIR: db0.dir, SIGNET_DATABASE_URL: db0.url };
    const runs = await Promise.all(Array.from({ length: 4 }, () => runSignet(['migrate'], env)));
    for (const r of runs) assert.equal(r.code, 0, r.stderr);
    const applied = runs.filter((r) => /Applied migrations/.test(r.stdout));
    assert.equal(applied.length, 1, runs.map((r) => r.stdout).join(''));
    assert.equal(runs.filter((r) => /up to date/.test(r.stdout)).length, 3);
    const db = await openDb(db0.url);
    opened.push(db);
    const versions = await db.all<{ version: number }>(`SELECT version FROM schema_migrations ORDER BY version`);
    assert.deepEqual(versions.map((v) => Number(v.version)), Array.from({ length: LATEST_VERSION }, (_, i) => i + 1));
  });
}
