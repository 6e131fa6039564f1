import { parseArgs } from 'node:util';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { databaseUrlFrom, loadConfig, masterKeyFile, pendingMasterKeyFile } from '../config.ts';
import { SecretBox, parseMasterKey } from '../domain/secret-box.ts';
import { openDb } from '../store/sql/db.ts';
import { migrate } from '../store/sql/migrations.ts';
import { syncFile } from '../store/sql/private-files.ts';
import { UnopenableSealedValueError, resealAll } from '../store/sealed-columns.ts';
import { describeDatabase } from './database-name.ts';

const RESTART =
  'Restart every Signet process now: running ones hold the old key in memory and cannot open what was re-sealed (until then, requests that read a secret fail).';

/**
 * `signet master-key rotate [--new-key-file FILE]`: re-seals every stored secret and private
 * signing key under a new master key, in one transaction. Where the key lives decides the rest:
 *
 * - Data directory (data/master.key, the default): the new key is written to master.key.next
 *   (0600, synced) BEFORE the transaction, and renamed over master.key only AFTER it commits.
 *   Every crash point leaves a working pair: before the commit the database is under the old
 *   key (master.key); after it, under the new one (master.key.next), which start-up also accepts
 *   while it exists. Running again after a crash finishes with that same key, never a fresh one.
 * - SIGNET_MASTER_KEY: the new key comes from --new-key-file, or is generated and printed; the
 *   operator then changes the variable. With SIGNET_MASTER_KEY_PREVIOUS set (a rolling
 *   rollover: every node already seals with the new SIGNET_MASTER_KEY and still opens with the
 *   previous one), it re-seals what is left under SIGNET_MASTER_KEY, with no new key.
 */
export async function masterKeyCommand(sub: string | undefined, args: string[]): Promise<number> {
  if (sub !== 'rotate') {
    console.error('Usage: signet master-key rotate [--new-key-file FILE]');
    return 2;
  }
  const { values } = parseArgs({ args, options: { 'new-key-file': { type: 'string' } } });
  const env = process.env;
  const fromEnv = Boolean(env.SIGNET_MASTER_KEY);
  // As loadConfig resolves it, read before loadConfig (which would generate a key file).
  const dataDir = resolve(env.SIGNET_DATA_DIR ?? 'data');
  if (!fromEnv && !existsSync(masterKeyFile(dataDir))) {
    console.error(`There is no master key at ${masterKeyFile(dataDir)} (and SIGNET_MASTER_KEY is not set): nothing to rotate.`);
    return 2;
  }
  const config = loadConfig();
  const rollover = Boolean(env.SIGNET_MASTER_KEY_PREVIOUS);
  const given = values['new-key-file'] === undefined ? undefined : parseMasterKey(readFileSync(values['new-key-file'], 'utf8'), values['new-key-file']);
  const pendingFile = pendingMasterKeyFile(dataDir);
  let newKey: Buffer;
  let wrotePending = false;
  let generated = false;
  if (rollover) {
    if (given && !given.equals(config.masterKey)) {
      console.error(
        'SIGNET_MASTER_KEY_PREVIOUS is set: this finishes a rollover by re-sealing everything under SIGNET_MASTER_KEY, the key every node already seals with. ' +
          'A different --new-key-file would lock those nodes out; leave it out (or unset SIGNET_MASTER_KEY_PREVIOUS to rotate to a new key).',
      );
      return 2;
    }
    newKey = config.masterKey;
  } else if (!fromEnv && existsSync(pendingFile)) {
    // An earlier run stopped between writing the new key and renaming it: finish with that key.
    const pending = parseMasterKey(readFileSync(pendingFile, 'utf8'), pendingFile);
    if (given && !given.equals(pending)) {
      console.error(`An earlier rotation to another key was interrupted (${pendingFile} holds it). Run again without --new-key-file to finish it first.`);
      return 2;
    }
    console.log(`Finishing an interrupted rotation with the key in ${pendingFile}.`);
    newKey = pending;
  } else {
    newKey = given ?? randomBytes(32);
    generated = !given;
    if (newKey.equals(config.masterKey)) {
      console.error('The new key is the master key already in use: give a different one.');
      return 2;
    }
    if (!fromEnv) {
      writePrivateFile(pendingFile, newKey.toString('hex') + '\n');
      wrotePending = true;
    }
  }

  const url = databaseUrlFrom();
  const db = await openDb(url);
  let counts;
  try {
    await migrate(db);
    const from = new SecretBox(config.masterKey, [...config.otherMasterKeys, newKey]);
    counts = await resealAll(db, from, new SecretBox(newKey));
  } catch (err) {
    // The transaction never committed: the database is as it was, under the old key, so the
    // new key file is not needed. (After any other failure it might have: keep the file.)
    if (err instanceof UnopenableSealedValueError && wrotePending) rmSync(pendingFile, { force: true });
    throw err;
  } finally {
    await db.close();
  }

  const what =
    `Re-sealed ${counts.signing_keys} signing keys, ${counts.clients} client secrets and ${counts.resource_servers} API signing secrets ` +
    `in ${describeDatabase(url)} under the new master key.`;
  console.log(what);
  if (rollover) {
    console.log('Nothing is sealed with SIGNET_MASTER_KEY_PREVIOUS any more: remove it from every node (at their next restart). The old key opens nothing in this database.');
    return 0;
  }
  if (!fromEnv) {
    const file = masterKeyFile(dataDir);
    renameSync(pendingFile, file);
    syncFile(dirname(file));
    console.log(`The new key is in ${file} (mode 0600); the old key is gone. Back up the new key: backups taken before now still need the old one.`);
    console.log(RESTART);
    return 0;
  }
  if (generated) {
    console.log('The new master key (shown once; store it where SIGNET_MASTER_KEY comes from):');
    console.log(`SIGNET_MASTER_KEY=${newKey.toString('hex')}`);
  }
  console.log('Set SIGNET_MASTER_KEY to the new key everywhere Signet runs (and wherever the configuration is kept). The old key opens nothing any more.');
  console.log(RESTART);
  return 0;
}

/** A new file with mode 0600, its contents synced, then its directory: it survives a crash once this returns. */
function writePrivateFile(file: string, contents: string): void {
  const fd = openSync(file, 'wx', 0o600);
  try {
    writeSync(fd, contents);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  syncFile(dirname(file));
}
