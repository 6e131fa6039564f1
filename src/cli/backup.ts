import { parseArgs } from 'node:util';
import { join, resolve } from 'node:path';
import { databaseUrlFrom } from '../config.ts';
import { backupSqlite } from '../store/sql/sqlite-backup.ts';
import { describeDatabase, sqliteFile } from './database-name.ts';

/** What to run instead on PostgreSQL (printed by `signet backup`, and in the README). */
export const PG_DUMP_ADVICE = [
  'Back it up with pg_dump, from a machine that can reach it:',
  '  pg_dump --format=custom --file=signet.dump "$SIGNET_DATABASE_URL"',
  'and restore into an empty database with:',
  '  pg_restore --no-owner --exit-on-error --dbname="$SIGNET_DATABASE_URL" signet.dump',
].join('\n');

/**
 * `signet backup FILE [--force]`: an online, consistent copy of the embedded SQLite database
 * (servers keep running and writing). PostgreSQL has its own tools, so it is refused with the
 * command to use instead.
 */
export async function backupCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { force: { type: 'boolean', default: false } }, allowPositionals: true });
  if (positionals.length !== 1) {
    console.error('Usage: signet backup FILE [--force]');
    return 2;
  }
  const url = databaseUrlFrom();
  const keyAt = process.env.SIGNET_MASTER_KEY ? 'SIGNET_MASTER_KEY' : join(resolve(process.env.SIGNET_DATA_DIR ?? 'data'), 'master.key');
  const keyNote = (what: string) => `${what} holds secrets sealed with the master key and is useless without it (${keyAt}): keep a copy of the key, stored apart from the backups.`;
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    console.error(`signet backup copies the embedded SQLite database; this Signet uses the ${describeDatabase(url)}.\n${PG_DUMP_ADVICE}\n${keyNote('The dump')}`);
    return 2;
  }
  const source = sqliteFile(url);
  if (source === ':memory:') {
    console.error('The database is in memory (SIGNET_DATABASE_URL=sqlite::memory:): there is nothing on disk to back up.');
    return 2;
  }
  const done = await backupSqlite(source, positionals[0]!, { force: values.force });
  console.log(`Backed up ${describeDatabase(url)} to ${done.file} (schema version ${done.schemaVersion}, ${(done.bytes / 1e6).toFixed(1)} MB, integrity checked).`);
  console.log(keyNote('The backup'));
  console.log(`To restore: stop Signet, copy the backup to ${source}, delete ${source}-wal and ${source}-shm if present, and start Signet with the same master key.`);
  return 0;
}
