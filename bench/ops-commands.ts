// Cost of the operator commands on a database of a given size:
//   node --import tsx bench/ops-commands.ts [--clients 10000] [--log-mb 100] [--pg postgres://…/test]
// 1. master-key rotation: re-seals N client secrets (plus the tenant's signing keys) in one
//    transaction; reports its duration, i.e. how long writers to the sealed tables wait.
// 2. SQLite online backup of a database padded with log events to about --log-mb MB, while
//    another thread's connection inserts a row every 2 ms; reports the backup's duration and the
//    slowest insert around it (WAL: writers are not held up by the backup's read snapshot).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { openDb, type Db } from '../src/store/sql/db.ts';
import { migrate } from '../src/store/sql/migrations.ts';
import { resealAll } from '../src/store/sealed-columns.ts';
import { SecretBox } from '../src/domain/secret-box.ts';
import { backupSqlite } from '../src/store/sql/sqlite-backup.ts';
import { Database } from '../src/store/sql/sqlite.ts';

const { values } = parseArgs({ options: { clients: { type: 'string', default: '10000' }, 'log-mb': { type: 'string', default: '100' }, pg: { type: 'string' } } });
const clients = Number(values.clients);

async function fill(db: Db, box: SecretBox) {
  const now = Date.now();
  await db.run(`INSERT INTO tenants (id, name, plan, settings, created_at, updated_at) VALUES ('t1', 'bench', 'enterprise', '{}', ?, ?)`, [now, now]);
  await db.transaction(async (tx) => {
    for (let i = 0; i < clients; i++) {
      const id = `c${String(i).padStart(8, '0')}`;
      await tx.run(
        `INSERT INTO clients (client_id, tenant_id, name, app_type, client_secret_enc, grant_types, callbacks, allowed_origins, created_at, updated_at)
         VALUES (?, 't1', ?, 'non_interactive', ?, '[]', '[]', '[]', ?, ?)`,
        [id, id, box.seal(randomBytes(32).toString('base64url'), `client_secret:${id}`), now, now],
      );
    }
  });
}

async function rotation(url: string, label: string) {
  const db = await openDb(url);
  await migrate(db);
  const k1 = new SecretBox(randomBytes(32));
  await fill(db, k1);
  const t0 = performance.now();
  const counts = await resealAll(db, k1, new SecretBox(randomBytes(32)));
  console.log(`${label}: re-sealed ${counts.clients} client secrets in one transaction: ${(performance.now() - t0).toFixed(0)} ms`);
  await db.close();
}

const dir = mkdtempSync(join(tmpdir(), 'signet-bench-ops-'));
try {
  await rotation(`sqlite:${join(dir, 'rotate.db')}`, 'SQLite');
  if (values.pg) {
    const db = await openDb(values.pg);
    const schema = `bench_ops_${process.pid}`;
    await db.exec(`CREATE SCHEMA ${schema}`);
    await db.close();
    const u = new URL(values.pg);
    u.searchParams.set('options', `-c search_path=${schema}`);
    try {
      await rotation(u.href, 'PostgreSQL');
    } finally {
      const d = await openDb(values.pg);
      await d.exec(`DROP SCHEMA ${schema} CASCADE`);
      await d.close();
    }
  }

  const file = join(dir, 'backup-src.db');
  const db = await openDb(`sqlite:${file}`);
  await migrate(db);
  await db.close();
  const raw = new Database(file);
  raw.pragma('journal_mode = WAL');
  const insert = raw.prepare(`INSERT INTO log_events (tenant_id, seq, id, date, type, description, details) VALUES ('pad', ?, ?, 0, 'x', ?, '{}')`);
  const rows = Math.ceil((Number(values['log-mb']) * 1e6) / 1100);
  raw.transaction(() => {
    for (let i = 1; i <= rows; i++) insert.run(i, `e${i}`, 'y'.repeat(1000));
  })();
  raw.close();
  // The writer runs on its own thread and connection (as a server process would), so the
  // backup's copy step, which is synchronous on this thread, cannot hold it up by other means.
  const driver = Number(process.versions.node.split('.')[0]) >= 22 ? 'better-sqlite3-napi' : 'better-sqlite3';
  const writer = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const Database = require('node:module').createRequire(workerData.cwd + '/x.js')(workerData.driver);
     const db = new Database(workerData.file); db.pragma('busy_timeout = 5000');
     const insert = db.prepare("INSERT INTO log_events (tenant_id, seq, id, date, type, description, details) VALUES ('pad', ?, ?, 0, 'x', 'during backup', '{}')");
     let seq = workerData.seq, slowest = 0, writes = 0, stop = false;
     parentPort.on('message', () => { stop = true; });
     const tick = () => {
       if (stop) { db.close(); parentPort.postMessage({ slowest, writes }); return; }
       const t = performance.now(); insert.run(++seq, 'w' + seq); slowest = Math.max(slowest, performance.now() - t); writes++;
       setTimeout(tick, 2);
     };
     parentPort.postMessage('ready'); tick();`,
    { eval: true, workerData: { file, seq: rows, driver, cwd: process.cwd() } },
  );
  await new Promise((r) => writer.once('message', r));
  await new Promise((r) => setTimeout(r, 200));
  const t0 = performance.now();
  const done = await backupSqlite(file, join(dir, 'copy.db'));
  const took = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 200));
  const result = new Promise<{ slowest: number; writes: number }>((r) => writer.once('message', r));
  writer.postMessage('stop');
  const { slowest, writes } = await result;
  await writer.terminate();
  console.log(
    `SQLite backup of ${(done.bytes / 1e6).toFixed(0)} MB: ${took.toFixed(0)} ms (copy, integrity check, fsync); ` +
      `another thread's inserts (every 2 ms, from 0.2 s before to 0.2 s after): ${writes}, slowest ${slowest.toFixed(1)} ms`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
