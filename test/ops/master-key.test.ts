import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import { startSignet } from '../support/harness.ts';
import { runSignet, startServe, type ServedProcess } from '../support/cli-run.ts';
import { freePort } from '../support/free-port.ts';
import { freshPostgresDatabase, requirePostgres } from '../support/services.ts';
import { openDb, type Db } from '../../src/store/sql/db.ts';
import { migrate } from '../../src/store/sql/migrations.ts';
import { SEALED_COLUMNS, resealAll } from '../../src/store/sealed-columns.ts';
import { SecretBox, parseMasterKey } from '../../src/domain/secret-box.ts';

const kidOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()).kid as string;
const hex = (k: Buffer) => k.toString('hex');

/** Every sealed value in the database, by "table/row". */
async function sealedValues(url: string): Promise<Map<string, string>> {
  const db = await openDb(url);
  try {
    const out = new Map<string, string>();
    for (const c of SEALED_COLUMNS) {
      for (const r of await db.all<{ k: string; v: string }>(`SELECT ${c.key} AS k, ${c.column} AS v FROM ${c.table} WHERE ${c.column} IS NOT NULL`)) out.set(`${c.table}/${r.k}`, r.v);
    }
    return out;
  } finally {
    await db.close();
  }
}

/** How many of the sealed values `box` opens (each with its row's AAD). */
function opened(values: Map<string, string>, box: SecretBox): number {
  let n = 0;
  for (const [where, v] of values) {
    const [table, key] = [where.slice(0, where.indexOf('/')), where.slice(where.indexOf('/') + 1)];
    const c = SEALED_COLUMNS.find((x) => x.table === table)!;
    try {
      box.open(v, c.aad(key));
      n++;
    } catch {
      /* not openable with this box */
    }
  }
  return n;
}

/** A request to one node (its own port) for the deployment's public host, as a load balancer would send it. */
async function call(server: ServedProcess, method: string, path: string, opts: { form?: Record<string, string>; token?: string } = {}) {
  const r = await request(`http://127.0.0.1:${server.port}${path}`, {
    method: method as 'GET' | 'POST',
    headers: {
      host: new URL(server.url).host,
      ...(opts.form && { 'content-type': 'application/x-www-form-urlencoded' }),
      ...(opts.token && { authorization: `Bearer ${opts.token}` }),
    },
    body: opts.form && new URLSearchParams(opts.form).toString(),
  });
  return { status: r.statusCode, body: (await r.body.json()) as any };
}

async function managementToken(server: ServedProcess, management: { client_id: string; client_secret: string }) {
  return call(server, 'POST', '/oauth/token', {
    form: { grant_type: 'client_credentials', client_id: management.client_id, client_secret: management.client_secret, audience: `${server.url}api/v2/` },
  });
}

const kinds = [
  {
    name: 'SQLite',
    async fresh(dir: string) {
      return { url: `sqlite:${join(dir, 'signet.db')}`, async drop() {} };
    },
  },
  {
    name: 'PostgreSQL',
    async fresh(_dir: string, t?: { skip(msg: string): void }) {
      if (t && !(await requirePostgres(t))) return undefined;
      return freshPostgresDatabase();
    },
  },
];

for (const kind of kinds) {
  test(`${kind.name}: master-key rotate re-seals every secret and signing key atomically; the new key serves, the old one opens nothing; a rolling rollover needs no downtime`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'signet-rotate-'));
    const database = await kind.fresh(dir, t);
    if (!database) return;
    const servers: ServedProcess[] = [];
    t.after(async () => {
      for (const s of servers) await s.stop().catch(() => undefined);
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    });
    const url = database.url;

    // Secrets of every kind: Management API clients (two tenants), an application's secret, an HS256 API's signing secret, signing keys.
    const h = await startSignet({ databaseUrl: url });
    const k1 = h.config.masterKey;
    const management = h.defaultTenant.management;
    const kid = kidOf(await h.defaultTenant.managementToken());
    const app = await h.defaultTenant.api('POST', '/clients', { name: 'backend', app_type: 'non_interactive' });
    assert.equal(app.status, 201);
    const api = await h.defaultTenant.api('POST', '/resource-servers', { name: 'hs', identifier: 'https://hs.example/', signing_alg: 'HS256' });
    assert.equal(api.status, 201, JSON.stringify(api.body));
    assert.ok(api.body.signing_secret);
    await h.createTenant();
    await h.close();
    const before = await sealedValues(url);
    assert.equal(opened(before, new SecretBox(k1)), before.size);
    assert.ok(before.size >= 8, `${before.size} sealed values`);
    const env = { SIGNET_DATA_DIR: dir, SIGNET_DATABASE_URL: url, SIGNET_MASTER_KEY: hex(k1) };

    // A failure in the middle changes nothing: one API secret (the last table re-sealed) that the old key cannot open.
    const k2 = randomBytes(32);
    const k2File = join(dir, 'k2');
    writeFileSync(k2File, hex(k2), { mode: 0o600 });
    const db: Db = await openDb(url);
    const apiKey = `resource_servers/${api.body.id}`;
    const stranger = new SecretBox(randomBytes(32)).seal('x'.repeat(43), `signing_secret:${api.body.id}`);
    await db.run(`UPDATE resource_servers SET signing_secret_enc = ? WHERE id = ?`, [stranger, api.body.id]);
    const failed = await runSignet(['master-key', 'rotate', '--new-key-file', k2File], env);
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, new RegExp(`resource_servers row ${api.body.id} cannot be opened with the master key\\(s\\) given, so nothing was re-sealed`));
    assert.deepEqual(await sealedValues(url), new Map([...before, [apiKey, stranger]]), 'not one value changed');
    await db.run(`UPDATE resource_servers SET signing_secret_enc = ? WHERE id = ?`, [before.get(apiKey)!, api.body.id]);
    await db.close();

    // The new key given in a file: refused when it is the key in use.
    const same = join(dir, 'same');
    writeFileSync(same, hex(k1));
    const refused = await runSignet(['master-key', 'rotate', '--new-key-file', same], env);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /already in use/);

    const rotated = await runSignet(['master-key', 'rotate', '--new-key-file', k2File], env);
    assert.equal(rotated.code, 0, rotated.stderr);
    const counts = before.size;
    assert.match(rotated.stdout, /Re-sealed \d+ signing keys, 3 client secrets and 1 API signing secrets in .* under the new master key\./);
    assert.match(rotated.stdout, /Set SIGNET_MASTER_KEY to the new key everywhere Signet runs/);
    assert.match(rotated.stdout, /Restart every Signet process now/);
    assert.doesNotMatch(rotated.stdout, new RegExp(hex(k2)), 'a key given in a file is not printed');
    const after = await sealedValues(url);
    assert.equal(after.size, counts);
    for (const [where, v] of after) assert.notEqual(v, before.get(where), `${where} re-sealed`);
    assert.equal(opened(after, new SecretBox(k1)), 0, 'the old key opens nothing');
    assert.equal(opened(after, new SecretBox(k2)), counts, 'the new key opens everything');

    // The server with the new key: same signing key, the Management client's secret works, the API's secret and the application's are intact.
    // Every node of the deployment answers for one public URL (the first node's).
    const firstPort = await freePort();
    const publicUrl = `http://localhost:${firstPort}`;
    const node = async (keys: Record<string, string>) => {
      const s = await startServe({ ...env, ...keys }, servers.length === 0 ? firstPort : await freePort(), publicUrl);
      servers.push(s);
      return s;
    };
    const withK2 = await node({ SIGNET_MASTER_KEY: hex(k2) });
    const tok = await managementToken(withK2, management);
    assert.equal(tok.status, 200, JSON.stringify(tok.body));
    assert.equal(kidOf(tok.body.access_token), kid, 'signed by the same signing key');
    const gotApi = await call(withK2, 'GET', `/api/v2/resource-servers/${api.body.id}`, { token: tok.body.access_token });
    assert.equal(gotApi.body.signing_secret, api.body.signing_secret);
    const gotApp = await call(withK2, 'GET', `/api/v2/clients/${app.body.client_id}`, { token: tok.body.access_token });
    assert.equal(gotApp.body.client_secret, app.body.client_secret);
    // A node left with the old key refuses to start (it could neither sign nor seal anything others can open).
    const stale = await runSignet(['serve'], { ...env, SIGNET_MASTER_KEY: hex(k1), PORT: String(await freePort()) });
    assert.equal(stale.code, 1);
    assert.match(stale.stderr, /The master key does not open the secrets stored in the database/);

    // Rolling rollover to k3 without downtime: nodes restart one by one with k3 sealing and k2 still opening, one
    // `rotate` re-seals what is left, then SIGNET_MASTER_KEY_PREVIOUS goes.
    const k3 = randomBytes(32);
    const rolling = { ...env, SIGNET_MASTER_KEY: hex(k3), SIGNET_MASTER_KEY_PREVIOUS: hex(k2) };
    const nodeA = await node(rolling);
    assert.equal((await managementToken(nodeA, management)).status, 200, 'a restarted node reads values still sealed with the previous key');
    assert.equal((await managementToken(withK2, management)).status, 200, 'a node not yet restarted keeps serving');
    await withK2.stop();
    const other = join(dir, 'other');
    writeFileSync(other, hex(randomBytes(32)));
    const wrongNew = await runSignet(['master-key', 'rotate', '--new-key-file', other], rolling);
    assert.equal(wrongNew.code, 2, 'during a rollover the new key is SIGNET_MASTER_KEY, nothing else');
    assert.match(wrongNew.stderr, /would lock those nodes out/);
    const finished = await runSignet(['master-key', 'rotate'], rolling);
    assert.equal(finished.code, 0, finished.stderr);
    assert.match(finished.stdout, /remove it from every node/);
    const end = await sealedValues(url);
    assert.equal(opened(end, new SecretBox(k2)), 0);
    assert.equal(opened(end, new SecretBox(k3)), counts);
    assert.equal((await managementToken(nodeA, management)).status, 200, 'the running node serves throughout');
    const nodeB = await node({ SIGNET_MASTER_KEY: hex(k3) });
    const last = await managementToken(nodeB, management);
    assert.equal(last.status, 200, JSON.stringify(last.body));
    assert.equal(kidOf(last.body.access_token), kid);
  });
}

test('data directory: master-key rotate replaces master.key only after the commit, and every crash point leaves a working key and database', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-rotate-dir-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const env = { SIGNET_DATA_DIR: dir, SIGNET_PUBLIC_URL: 'http://localhost:3000', SIGNET_MASTER_KEY: '' };
  const keyFile = join(dir, 'master.key');
  const nextFile = join(dir, 'master.key.next');
  const url = `sqlite:${join(dir, 'signet.db')}`;
  const readKey = () => parseMasterKey(readFileSync(keyFile, 'utf8'));
  const created = await runSignet(['tenants', 'create', 'acme', '--json'], env);
  assert.equal(created.code, 0, created.stderr);
  const secret = JSON.parse(created.stdout).management.client_secret as string;
  const credentials = async () => {
    const r = await runSignet(['tenants', 'credentials', 'acme', '--json'], env);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout).management.client_secret as string;
  };
  const k1 = readKey();

  const r1 = await runSignet(['master-key', 'rotate'], env);
  assert.equal(r1.code, 0, r1.stderr);
  assert.match(r1.stdout, /The new key is in .*master\.key \(mode 0600\); the old key is gone/);
  assert.doesNotMatch(r1.stdout, /SIGNET_MASTER_KEY=/, 'a key in the data directory is never printed');
  const k2 = readKey();
  assert.ok(!k2.equals(k1));
  assert.equal(statSync(keyFile).mode & 0o777, 0o600);
  assert.equal(existsSync(nextFile), false);
  assert.equal(await credentials(), secret);
  const values = await sealedValues(url);
  assert.equal(opened(values, new SecretBox(k1)), 0, 'the old key opens nothing');
  assert.equal(opened(values, new SecretBox(k2)), values.size);

  // Crash after the commit, before the rename: the database is under master.key.next's key.
  const k3 = randomBytes(32);
  writeFileSync(nextFile, hex(k3), { mode: 0o600 });
  const db = await openDb(url);
  await migrate(db);
  await resealAll(db, new SecretBox(k2), new SecretBox(k3));
  await db.close();
  assert.equal(await credentials(), secret, 'start-up accepts the pending key');
  const other = join(dir, 'other');
  writeFileSync(other, hex(randomBytes(32)));
  const conflicting = await runSignet(['master-key', 'rotate', '--new-key-file', other], env);
  assert.equal(conflicting.code, 2);
  assert.match(conflicting.stderr, /An earlier rotation to another key was interrupted/);
  const resumed = await runSignet(['master-key', 'rotate'], env);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stdout, /Finishing an interrupted rotation/);
  assert.ok(readKey().equals(k3), 'finished with the key it had written, not a fresh one');
  assert.equal(existsSync(nextFile), false);
  assert.equal(await credentials(), secret);

  // Crash before the commit: master.key.next written, the database still under master.key.
  const k4 = randomBytes(32);
  writeFileSync(nextFile, hex(k4), { mode: 0o600 });
  assert.equal(await credentials(), secret);
  assert.equal((await runSignet(['master-key', 'rotate'], env)).code, 0);
  assert.ok(readKey().equals(k4));
  assert.equal(opened(await sealedValues(url), new SecretBox(k4)), values.size);

  // A value no key opens: refused, and neither the key file nor the database changes.
  const db2 = await openDb(url);
  const victim = (await db2.get<{ client_id: string }>(`SELECT client_id FROM clients LIMIT 1`))!.client_id;
  await db2.run(`UPDATE clients SET client_secret_enc = ? WHERE client_id = ?`, [new SecretBox(randomBytes(32)).seal('s', `client_secret:${victim}`), victim]);
  await db2.close();
  const beforeFailure = await sealedValues(url);
  const failed = await runSignet(['master-key', 'rotate'], env);
  assert.equal(failed.code, 1);
  assert.match(failed.stderr, new RegExp(`clients row ${victim} cannot be opened`));
  assert.ok(readKey().equals(k4));
  assert.equal(existsSync(nextFile), false, 'the unused new key is not left behind');
  assert.deepEqual(await sealedValues(url), beforeFailure);

  const empty = mkdtempSync(join(tmpdir(), 'signet-rotate-none-'));
  t.after(() => rmSync(empty, { recursive: true, force: true }));
  const none = await runSignet(['master-key', 'rotate'], { SIGNET_DATA_DIR: empty, SIGNET_MASTER_KEY: '' });
  assert.equal(none.code, 2);
  assert.match(none.stderr, /There is no master key/);
  assert.equal(existsSync(join(empty, 'master.key')), false, 'no key is generated by a rotation');
});

test('every *_enc column of the schema is re-sealed by a rotation', async () => {
  const db = await openDb('sqlite::memory:');
  await migrate(db);
  const tables = await db.all<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table'`);
  const enc: string[] = [];
  for (const { name } of tables) {
    for (const c of await db.all<{ name: string }>(`SELECT name FROM pragma_table_info(?)`, [name])) if (/_enc$/.test(c.name)) enc.push(`${name}.${c.name}`);
  }
  await db.close();
  assert.deepEqual(enc.sort(), SEALED_COLUMNS.map((c) => `${c.table}.${c.column}`).sort());
});
