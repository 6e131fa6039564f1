/**
 * The log store on both databases: an installation upgraded from the schema before events were
 * numbered keeps its events and their ids, numbered in (date, id) order, and old ids still work
 * as checkpoints; new events continue the numbering; each tenant has its own numbers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb, type Db } from '../../src/store/sql/db.ts';
import { migrate } from '../../src/store/sql/migrations.ts';
import { LogStore, logIdOf } from '../../src/store/logs.ts';
import { freshPostgresDatabase, requirePostgres } from '../support/services.ts';

/** The last schema version before events were numbered. */
const BEFORE_NUMBERING = 7;

async function upgrade(db: Db) {
  await migrate(db, BEFORE_NUMBERING);
  // Old ids: a per-process prefix and a counter, unrelated to time; two events share a date.
  const old = [
    { id: 'zzzz0001', tenant: 't1', date: 1000, type: 'seccft' },
    { id: 'aaaa0002', tenant: 't1', date: 3000, type: 'feccft' },
    { id: 'mmmm0003', tenant: 't1', date: 2000, type: 'sapi' },
    { id: 'bbbb0004', tenant: 't1', date: 2000, type: 'seccft' },
    { id: 'cccc0005', tenant: 't2', date: 500, type: 'seccft' },
  ];
  for (const e of old) {
    await db.run(`INSERT INTO log_events (id, tenant_id, date, type, description, client_id, client_name, ip, user_agent, details) VALUES (?, ?, ?, ?, 'd', 'c', NULL, NULL, NULL, '{}')`, [e.id, e.tenant, e.date, e.type]);
  }
  await migrate(db);
  const logs = new LogStore(db, 1);

  const t1 = await logs.after('t1', 0, 100);
  assert.deepEqual(t1.map((e) => [e.seq, e.id]), [[1, 'zzzz0001'], [2, 'bbbb0004'], [3, 'mmmm0003'], [4, 'aaaa0002']], 'numbered in (date, id) order, ids kept');
  assert.equal(await logs.checkpoint('t1', 'bbbb0004'), 2, 'an old id is still a checkpoint');
  assert.deepEqual((await logs.after('t1', 2, 100)).map((e) => e.id), ['mmmm0003', 'aaaa0002']);
  assert.equal(await logs.checkpoint('t2', 'bbbb0004'), undefined, "another tenant's id is no checkpoint");

  logs.append({ tenantId: 't1', type: 'seccft', description: 'new', date: 4000 });
  logs.append({ tenantId: 't2', type: 'seccft', description: 'new', date: 4000 });
  logs.append({ tenantId: 't3', type: 'seccft', description: 'first', date: 4000 });
  await logs.flush();
  assert.deepEqual((await logs.after('t1', 4, 100)).map((e) => [e.seq, e.id]), [[5, logIdOf(5)]], 'new events continue the numbering');
  assert.deepEqual((await logs.after('t2', 0, 100)).map((e) => e.seq), [1, 2], 'each tenant has its own numbers');
  assert.deepEqual((await logs.after('t3', 0, 100)).map((e) => e.id), [logIdOf(1)]);
  // A number this tenant's log has not reached is no checkpoint (an exporter would wait forever past it).
  assert.equal(await logs.checkpoint('t3', logIdOf(1)), 1);
  assert.equal(await logs.checkpoint('t3', logIdOf(2)), undefined);
  // An id whose event retention removed still marks its place.
  await db.run(`DELETE FROM log_events WHERE tenant_id = 't1' AND seq = 5`);
  assert.equal(await logs.checkpoint('t1', logIdOf(5)), 5);
}

test('SQLite: upgrading numbers existing events and keeps their ids', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-log-store-'));
  const db = await openDb(`sqlite:${join(dir, 'signet.db')}`);
  try {
    await upgrade(db);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('PostgreSQL: upgrading numbers existing events and keeps their ids', async (t) => {
  if (!(await requirePostgres(t))) return;
  const pg = await freshPostgresDatabase();
  const db = await openDb(pg.url);
  try {
    await upgrade(db);
  } finally {
    await db.close();
    await pg.drop();
  }
});
