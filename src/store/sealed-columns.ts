import type { Db, Queryable } from './sql/db.ts';
import type { SecretBox } from '../domain/secret-box.ts';

/**
 * Every column that holds a value sealed with the SecretBox, with the row key and the AAD that
 * binds each value to its row (as the stores and services seal them). A master-key rotation
 * re-seals exactly these; test/ops/master-key.test.ts fails when a `*_enc` column exists in the
 * schema but not here, so a new sealed column cannot be forgotten by the rotation.
 */
export const SEALED_COLUMNS = [
  { table: 'signing_keys', column: 'private_key_enc', key: 'kid', aad: (id: string) => `signing_key:${id}` },
  { table: 'clients', column: 'client_secret_enc', key: 'client_id', aad: (id: string) => `client_secret:${id}` },
  { table: 'resource_servers', column: 'signing_secret_enc', key: 'id', aad: (id: string) => `signing_secret:${id}` },
] as const;

export type SealedTable = (typeof SEALED_COLUMNS)[number]['table'];

/** A stored value that none of the given keys opens: the rotation stops and changes nothing. */
export class UnopenableSealedValueError extends Error {
  readonly code = 'unopenable_sealed_value';
  constructor(readonly table: string, readonly rowKey: string) {
    super(
      `${table} row ${rowKey.slice(0, 80)} cannot be opened with the master key(s) given, so nothing was re-sealed. ` +
        'Give the key it was sealed with (SIGNET_MASTER_KEY, or SIGNET_MASTER_KEY_PREVIOUS during a rollover), or repair that row, and run again.',
    );
    this.name = 'UnopenableSealedValueError';
  }
}

/** Rows read per query: bounds memory whatever the number of clients. */
const PAGE = 500;

/**
 * Re-seals every sealed value: opened with `from` (which may know several keys), sealed again
 * with `to`, in ONE transaction, so the database is either wholly as before or wholly re-sealed.
 * Writers are held off for its duration (PostgreSQL: EXCLUSIVE table locks, which still let
 * readers through; SQLite: the write lock of BEGIN IMMEDIATE), so a row written meanwhile cannot
 * slip past the pass sealed with another key. Returns how many values of each table it re-sealed.
 */
export async function resealAll(db: Db, from: SecretBox, to: SecretBox): Promise<Record<SealedTable, number>> {
  return db.transaction(async (tx) => {
    if (tx.dialect === 'postgres') await tx.run(`LOCK TABLE ${SEALED_COLUMNS.map((c) => c.table).join(', ')} IN EXCLUSIVE MODE`);
    const counts = {} as Record<SealedTable, number>;
    for (const c of SEALED_COLUMNS) counts[c.table] = await resealColumn(tx, c, from, to);
    return counts;
  });
}

async function resealColumn(tx: Queryable, c: (typeof SEALED_COLUMNS)[number], from: SecretBox, to: SecretBox): Promise<number> {
  let after = '';
  let n = 0;
  for (;;) {
    const rows = await tx.all<{ k: string; v: string }>(
      `SELECT ${c.key} AS k, ${c.column} AS v FROM ${c.table} WHERE ${c.key} > ? AND ${c.column} IS NOT NULL ORDER BY ${c.key} LIMIT ${PAGE}`,
      [after],
    );
    for (const r of rows) {
      let plain: string;
      try {
        plain = from.open(r.v, c.aad(r.k));
      } catch {
        throw new UnopenableSealedValueError(c.table, r.k);
      }
      await tx.run(`UPDATE ${c.table} SET ${c.column} = ? WHERE ${c.key} = ?`, [to.seal(plain, c.aad(r.k)), r.k]);
      n++;
    }
    if (rows.length < PAGE) return n;
    after = rows[rows.length - 1]!.k;
  }
}

/** The master key opens none of the stored secrets it was tried on: the process must not start with it. */
export class MasterKeyMismatchError extends Error {
  readonly code = 'master_key_mismatch';
  constructor() {
    super(
      'The master key does not open the secrets stored in the database (none of the newest signing keys opens with it). ' +
        'Start with the key they were sealed with: after `signet master-key rotate`, the new one (SIGNET_MASTER_KEY, or master.key in the data directory).',
    );
    this.name = 'MasterKeyMismatchError';
  }
}

/** How many of the newest signing keys start-up tries: one corrupted row must not stop a server whose key is right. */
const CHECKED_KEYS = 5;

/**
 * Refuses a master key that opens none of the newest signing keys. A process started with a
 * stale key (a node missed after a rotation) would otherwise fail every token request, and
 * worse, seal new secrets with a key nobody else has. An empty database passes.
 */
export async function checkMasterKey(db: Queryable, box: SecretBox): Promise<void> {
  const rows = await db.all<{ kid: string; private_key_enc: string }>(
    `SELECT kid, private_key_enc FROM signing_keys WHERE status <> 'revoked' ORDER BY created_at DESC, kid LIMIT ${CHECKED_KEYS}`,
  );
  if (rows.length === 0) return;
  for (const r of rows) {
    try {
      box.open(r.private_key_enc, `signing_key:${r.kid}`);
      return;
    } catch {
      // Try the next one.
    }
  }
  throw new MasterKeyMismatchError();
}
