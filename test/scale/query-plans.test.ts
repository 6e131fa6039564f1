/**
 * What a client's first token request reads (its authentication view, src/services/client-auth-cache.ts)
 * must be found by the client's own keys, never by walking a tenant-wide index: with 100,000
 * clients in a tenant a walk reads 100,000 rows per cache miss (the benchmark's 100k-client
 * run fell to 11 tokens/s). SQLite's plans are checked here on the real schema.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSqlite } from '../../src/store/sql/sqlite.ts';
import { migrate } from '../../src/store/sql/migrations.ts';

const PER_CLIENT_READS: [string, string][] = [
  ['client grants', `SELECT * FROM client_grants WHERE tenant_id = ? AND client_id = ? ORDER BY created_at, id`],
  ['credentials', `SELECT * FROM credentials WHERE tenant_id = ? AND client_id = ? ORDER BY created_at, id`],
  ['enabled credentials', `SELECT credential_id FROM client_pkjwt_credentials WHERE client_id = ? ORDER BY position`],
  ['client', `SELECT * FROM clients WHERE tenant_id = ? AND client_id = ?`],
  ['change stamp', `SELECT c.version || ':' || t.version AS stamp FROM clients c JOIN tenants t ON t.id = c.tenant_id WHERE c.client_id = ?`],
];

test("a client's authentication view is read through indexes on the client, not tenant-wide scans", async () => {
  const db = openSqlite(':memory:');
  await migrate(db);
  for (const [name, sql] of PER_CLIENT_READS) {
    const params = Array.from({ length: (sql.match(/\?/g) ?? []).length }, () => 'x');
    const plan = (await db.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params)).map((r) => r.detail);
    const first = plan.find((d) => / (c|clients|client_grants|credentials|client_pkjwt_credentials) /.test(`${d} `)) ?? '';
    assert.match(first, /^SEARCH .*client_id=\?/, `${name}: ${plan.join(' | ')}`);
  }
  await db.close();
});
