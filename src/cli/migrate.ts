import { parseArgs } from 'node:util';
import { databaseUrlFrom } from '../config.ts';
import { openDb } from '../store/sql/db.ts';
import { migrate } from '../store/sql/migrations.ts';
import { describeDatabase } from './database-name.ts';

/**
 * `signet migrate`: applies pending migrations (all in one transaction) and says what it did.
 * The server does the same on start; this lets an operator upgrade the schema as its own step,
 * before rolling out new code. Needs only the database, not the master key.
 */
export async function migrateCommand(args: string[]): Promise<number> {
  parseArgs({ args, options: {}, allowPositionals: false });
  const url = databaseUrlFrom();
  const db = await openDb(url);
  try {
    const r = await migrate(db);
    const where = describeDatabase(url);
    if (r.applied.length === 0) {
      console.log(`The database is up to date (${where}, schema version ${r.to}).`);
    } else {
      const first = r.applied[0]!;
      const last = r.applied[r.applied.length - 1]!;
      const which = first === last ? `migration ${first}` : `migrations ${first}-${last}`;
      console.log(`Applied ${which} to ${where}: schema version ${r.from} -> ${r.to}.`);
    }
    return 0;
  } finally {
    await db.close();
  }
}
