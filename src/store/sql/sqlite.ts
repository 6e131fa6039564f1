import type BetterSqlite3 from 'better-sqlite3';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { Db, Param, Queryable } from './db.ts';
import { ensurePrivateDirectory, ensurePrivateFile, restrictFile } from './private-files.ts';

/**
 * better-sqlite3 12 (raw ObjectWrap) aborts the process on Node 24 when a statement is
 * finalized during teardown GC; 13 (Node-API) fixes that but segfaults on Node 20. Both are
 * installed (13 under the alias better-sqlite3-napi, prebuilt) and the runtime picks its own.
 */
export const Database: typeof BetterSqlite3 = createRequire(import.meta.url)(
  Number(process.versions.node.split('.')[0]) >= 22 ? 'better-sqlite3-napi' : 'better-sqlite3',
);

/**
 * better-sqlite3 is synchronous, so every call completes before the next one starts. The
 * only hazard is an async transaction callback: between its awaits another request could
 * run a statement on the same connection, inside our open transaction. A promise chain
 * serialises transactions against each other and against every other statement.
 */
export function openSqlite(file: string): Db {
  const onDisk = file !== ':memory:';
  if (onDisk) {
    // Created 0600 before SQLite opens it: SQLite gives the -wal and -shm files the database's mode.
    ensurePrivateDirectory(dirname(file));
    ensurePrivateFile(file);
  }
  const raw = new Database(file);
  // Wait for a lock rather than fail at once, from the first statement on: switching a new file
  // to WAL takes a lock too, and several processes may open it at the same moment.
  raw.pragma('busy_timeout = 5000');
  raw.pragma('journal_mode = WAL');
  // Files left by an earlier version (created 0644) are tightened too.
  if (onDisk) for (const suffix of ['-wal', '-shm']) restrictFile(file + suffix);
  raw.pragma('synchronous = NORMAL');
  // Checkpoint the WAL every ~40 MB rather than ~4 MB: fewer, larger checkpoints (each one syncs).
  raw.pragma('wal_autocheckpoint = 10000');
  raw.pragma('foreign_keys = ON');

  const cache = new Map<string, BetterSqlite3.Statement>();
  const prepare = (sql: string) => {
    let s = cache.get(sql);
    if (!s) {
      s = raw.prepare(sql);
      cache.set(sql, s);
    }
    return s;
  };
  const norm = (params: readonly Param[]) => params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p));

  const direct: Queryable = {
    dialect: 'sqlite',
    async all<T>(sql: string, params: readonly Param[] = []) {
      return prepare(sql).all(...norm(params)) as T[];
    },
    async get<T>(sql: string, params: readonly Param[] = []) {
      return prepare(sql).get(...norm(params)) as T | undefined;
    },
    async run(sql: string, params: readonly Param[] = []) {
      const s = prepare(sql);
      if (s.reader) {
        const rows = s.all(...norm(params));
        return { changes: rows.length };
      }
      return { changes: s.run(...norm(params)).changes };
    },
  };

  let queue: Promise<unknown> = Promise.resolve();
  let inTx = false;
  const gated = <T>(fn: () => Promise<T>): Promise<T> => (inTx ? (queue = queue.then(fn, fn)) as Promise<T> : fn());

  return {
    dialect: 'sqlite',
    all: (sql, params) => gated(() => direct.all(sql, params)),
    get: (sql, params) => gated(() => direct.get(sql, params)),
    run: (sql, params) => gated(() => direct.run(sql, params)),
    transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const work = async () => {
        inTx = true;
        raw.exec('BEGIN IMMEDIATE');
        try {
          const result = await fn(direct);
          raw.exec('COMMIT');
          return result;
        } catch (err) {
          if (raw.inTransaction) raw.exec('ROLLBACK');
          throw err;
        } finally {
          inTx = false;
        }
      };
      const p = queue.then(work, work);
      queue = p.catch(() => undefined);
      return p;
    },
    async exec(sql: string) {
      raw.exec(sql);
    },
    // Gated like any statement: it answers after an open transaction, as a real query would.
    ping: () => gated(async () => void raw.prepare('SELECT 1').get()),
    async close() {
      await queue.catch(() => undefined);
      raw.close();
    },
  };
}
