import { chmodSync, closeSync, existsSync, linkSync, openSync, renameSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { Database } from './sqlite.ts';
import { syncFile } from './private-files.ts';

export interface SqliteBackup {
  /** Where the backup was written (absolute). */
  file: string;
  bytes: number;
  schemaVersion: number;
}

/** A backup that cannot be made as asked; nothing was written at the destination. */
export class BackupRefusedError extends Error {
  readonly code = 'backup_refused';
}

/**
 * Copies the SQLite database `source` to `dest` while servers keep using it, with SQLite's online
 * backup API. Every remaining page is copied in one step, which reads from one snapshot (one
 * read transaction): in WAL mode writers carry on meanwhile, and the copy is the database as of
 * one commit, never a mix of two. (Copying a few pages per step instead would restart from the
 * first page whenever another process writes, and might never finish on a busy server.)
 *
 * The copy is written to a private (0600) temporary file next to `dest`, checked with
 * `PRAGMA integrity_check`, turned into a self-contained file (rollback journal, no -wal), synced,
 * and only then given its name: an interrupted backup never leaves a partial file at `dest`.
 * An existing `dest` is refused unless `force`, including one that appears while the copy runs.
 */
export async function backupSqlite(source: string, dest: string, opts: { force?: boolean } = {}): Promise<SqliteBackup> {
  const file = resolve(dest);
  if (!existsSync(source)) throw new BackupRefusedError(`There is no database at ${source} to back up.`);
  if (resolve(source) === file) throw new BackupRefusedError('The backup file is the database itself: give another path.');
  if (existsSync(file) && !opts.force) throw new BackupRefusedError(`${dest} already exists: give a new file, or add --force to replace it.`);
  const dir = dirname(file);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new BackupRefusedError(`The directory ${dir} does not exist.`);

  const tmp = join(dir, `.${basename(file)}.${randomBytes(6).toString('hex')}.partial`);
  // Created 0600 before SQLite writes a byte: the copy holds sealed secrets and password hashes.
  closeSync(openSync(tmp, 'wx', 0o600));
  chmodSync(tmp, 0o600);
  const src = new Database(source, { fileMustExist: true });
  try {
    src.pragma('busy_timeout = 5000');
    await src.backup(tmp, { progress: () => 0x7fffffff });
    const copy = new Database(tmp, { fileMustExist: true });
    let schemaVersion = 0;
    try {
      copy.pragma('journal_mode = DELETE');
      const check = copy.pragma('integrity_check', { simple: true });
      if (check !== 'ok') throw new Error(`The copy failed SQLite's integrity check (${String(check).slice(0, 200)}); nothing was written to ${dest}.`);
      const v = copy.prepare(`SELECT MAX(version) AS v FROM schema_migrations`).get() as { v: number | null } | undefined;
      schemaVersion = Number(v?.v ?? 0);
    } finally {
      copy.close();
    }
    syncFile(tmp);
    if (opts.force) renameSync(tmp, file);
    else {
      // link() fails if the name was taken meanwhile: never replace a file without --force.
      try {
        linkSync(tmp, file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new BackupRefusedError(`${dest} already exists: give a new file, or add --force to replace it.`);
        throw err;
      }
      unlinkSync(tmp);
    }
    syncFile(dir);
    return { file, bytes: statSync(file).size, schemaVersion };
  } finally {
    src.close();
    for (const f of [tmp, `${tmp}-journal`]) rmSync(f, { force: true });
  }
}
