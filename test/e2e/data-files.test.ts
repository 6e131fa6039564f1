/**
 * The data directory and the SQLite files hold admin password hashes, encrypted secrets and
 * logs: after a start they are 0700 and 0600 whatever the umask, whether the master key comes
 * from the environment or the directory, and a directory left too open by an earlier version
 * is tightened.
 */
import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import { loadConfig } from '../../src/config.ts';
import { buildServices } from '../../src/services/index.ts';
import { ensureDefaultTenant } from '../../src/services/tenants.ts';

// The driver Signet itself uses on this Node version (see src/store/sql/sqlite.ts).
const Database: typeof BetterSqlite3 = createRequire(import.meta.url)(Number(process.versions.node.split('.')[0]) >= 22 ? 'better-sqlite3-napi' : 'better-sqlite3');

const mode = (path: string) => statSync(path).mode & 0o777;

let root: string;
let umask: number;
const warnings: string[] = [];
const onWarning = (w: Error) => warnings.push(w.message);

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'signet-files-'));
  // The most permissive umask: modes must come from Signet, not from the environment.
  umask = process.umask(0o000);
  warnings.length = 0;
  process.on('warning', onWarning);
});
afterEach(() => {
  process.umask(umask);
  process.off('warning', onWarning);
  rmSync(root, { recursive: true, force: true });
});

/** Starts Signet's services on `dataDir` (as `signet serve` does), writes something, and stops. */
async function start(dataDir: string, env: Record<string, string> = {}) {
  const config = loadConfig({ SIGNET_DATA_DIR: dataDir, SIGNET_PUBLIC_URL: 'http://localhost:3000', ...env });
  const services = await buildServices(config);
  await ensureDefaultTenant(services.store, services.box, config);
  await services.admins.list();
  const db = join(dataDir, 'signet.db');
  // Stat while open: the -wal and -shm files exist only while a connection does.
  const modes = { dir: mode(dataDir), db: mode(db), wal: mode(`${db}-wal`), shm: mode(`${db}-shm`) };
  await services.close();
  await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
  return modes;
}

const PRIVATE = { dir: 0o700, db: 0o600, wal: 0o600, shm: 0o600 };

test('with SIGNET_MASTER_KEY set, a new data directory is 0700 and the database, -wal and -shm files 0600', async () => {
  const dir = join(root, 'nested', 'data');
  assert.deepEqual(await start(dir, { SIGNET_MASTER_KEY: randomBytes(32).toString('hex') }), PRIVATE);
  assert.ok(!existsSync(join(dir, 'master.key')));
  assert.deepEqual(warnings, []);
});

test('with a generated master key, the key file is 0600 too', async () => {
  const dir = join(root, 'data');
  assert.deepEqual(await start(dir), PRIVATE);
  assert.equal(mode(join(dir, 'master.key')), 0o600);
});

test('a data directory and database left 0755/0644 by an earlier start are tightened, with a warning', async (t) => {
  const dir = join(root, 'data');
  mkdirSync(dir);
  chmodSync(dir, 0o755);
  const key = randomBytes(32).toString('hex');
  await start(dir, { SIGNET_MASTER_KEY: key });
  // Another connection holds the database open, so its -wal and -shm files stay (as after a crash).
  const other = new Database(join(dir, 'signet.db'));
  t.after(() => other.close());
  // A write of its own (a spent jti, harmless), so that the -wal file holds something.
  other.prepare('INSERT INTO used_jtis (key, expires_at) VALUES (?, ?)').run('data-files-test', 0);
  chmodSync(dir, 0o755);
  for (const f of ['signet.db', 'signet.db-wal', 'signet.db-shm']) chmodSync(join(dir, f), 0o644);
  assert.deepEqual(await start(dir, { SIGNET_MASTER_KEY: key }), PRIVATE);
  assert.ok(warnings.some((w) => w.includes('tightened') && w.includes('0755')), warnings.join('\n'));
});

test('a pre-existing 0755 directory that holds other files is left as it is, with a loud warning, and the database files are still 0600', async () => {
  const dir = join(root, 'shared');
  mkdirSync(dir);
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'notes.txt'), 'not Signet');
  const modes = await start(dir, { SIGNET_MASTER_KEY: randomBytes(32).toString('hex') });
  assert.deepEqual(modes, { ...PRIVATE, dir: 0o755 });
  assert.ok(warnings.some((w) => w.includes('chmod 700') && w.includes(dir)), warnings.join('\n'));
});
