/**
 * The sign-in stores on both databases: authorization codes are found only on their tenant,
 * claimed exactly once even when claims race, never after expiry, and remember the token family
 * issued from them; pushed requests are taken once and only by their client; purging keeps a
 * used code long enough to recognise its replay.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb, type Db } from '../../src/store/sql/db.ts';
import { migrate } from '../../src/store/sql/migrations.ts';
import { AuthorizationCodeStore, CODE_KEPT_AFTER_EXPIRY_MS, type AuthorizationCode } from '../../src/store/authorization-codes.ts';
import { PushedRequestStore } from '../../src/store/pushed-requests.ts';
import { LoginSessionStore } from '../../src/store/login-sessions.ts';
import { authorizationCodeHash, newAuthorizationCode } from '../../src/domain/opaque-token.ts';
import { freshPostgresDatabase, requirePostgres } from '../support/services.ts';

async function seed(db: Db) {
  for (const t of ['ten_a', 'ten_b']) {
    await db.run(`INSERT INTO tenants (id, name, plan, settings, created_at, updated_at) VALUES (?, ?, 'enterprise', '{}', 0, 0)`, [t, t]);
    await db.run(
      `INSERT INTO clients (client_id, tenant_id, name, app_type, client_secret_enc, grant_types, callbacks, allowed_origins, created_at, updated_at)
       VALUES (?, ?, 'app', 'regular_web', 'x', '[]', '[]', '[]', 0, 0)`,
      [`client_${t}`, t],
    );
  }
}

async function exercise(db: Db) {
  await migrate(db);
  await seed(db);
  const codes = new AuthorizationCodeStore(db);
  const now = Date.now();
  const code = newAuthorizationCode();
  assert.match(code, /^[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url');
  const hash = authorizationCodeHash(code);
  assert.notEqual(hash, code);
  const value: AuthorizationCode = {
    tenantId: 'ten_a', clientId: 'client_ten_a', userId: 'auth0|u1', redirectUri: 'https://app.example/cb?x=1',
    scope: 'openid profile email offline_access', audience: null, nonce: 'n-\u00e9"<>', codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    sid: 'sid1', authTime: now - 5000, expiresAt: now + 60_000,
  };
  await codes.insert(hash, value);
  assert.deepEqual(await codes.find('ten_a', hash), { ...value, usedAt: null, issuedFamily: null }, 'read back exactly');
  assert.equal(await codes.find('ten_b', hash), null, "another tenant's code is not found");
  assert.equal(await codes.claim('ten_b', hash, now), false, "another tenant cannot claim it");
  assert.equal(await codes.claim('ten_a', hash, now + 60_000), false, 'not at or after expiry');

  const results = await Promise.all(Array.from({ length: 8 }, () => codes.claim('ten_a', hash, now)));
  assert.equal(results.filter(Boolean).length, 1, 'racing claims: exactly one wins');
  assert.equal((await codes.find('ten_a', hash))!.usedAt, now);
  await codes.setIssuedFamily('ten_b', hash, 'fam_wrong');
  assert.equal((await codes.find('ten_a', hash))!.issuedFamily, null, "another tenant cannot mark it");
  await codes.setIssuedFamily('ten_a', hash, 'fam_1');
  assert.equal((await codes.find('ten_a', hash))!.issuedFamily, 'fam_1');

  await codes.purgeExpired(now + 60_000 + CODE_KEPT_AFTER_EXPIRY_MS - 1);
  assert.ok(await codes.find('ten_a', hash), 'kept after expiry so a replay is still recognised');
  await codes.purgeExpired(now + 60_000 + CODE_KEPT_AFTER_EXPIRY_MS);
  assert.equal(await codes.find('ten_a', hash), null, 'purged at last');

  const par = new PushedRequestStore(db);
  await par.insert('uri1', { tenantId: 'ten_a', clientId: 'client_ten_a', request: '{"a":1}', createdAt: now, expiresAt: now + 60_000 });
  assert.equal(await par.take('ten_b', 'client_ten_a', 'uri1', now), undefined, 'other tenant');
  assert.equal(await par.take('ten_a', 'client_ten_b', 'uri1', now), undefined, 'other client');
  assert.equal(await par.take('ten_a', 'client_ten_a', 'uri1', now + 60_000), undefined, 'expired');
  const taken = await Promise.all([par.take('ten_a', 'client_ten_a', 'uri1', now), par.take('ten_a', 'client_ten_a', 'uri1', now)]);
  assert.deepEqual(taken.filter(Boolean), ['{"a":1}'], 'taken exactly once');

  const sessions = new LoginSessionStore(db);
  await sessions.insert('h1', { tenantId: 'ten_a', sid: 's1', userId: 'auth0|u1', authTime: now, createdAt: now, lastSeenAt: now, idleExpiresAt: now + 1000, expiresAt: now + 5000, clientIds: [] });
  assert.ok(await sessions.find('ten_a', 'h1', now));
  assert.equal(await sessions.find('ten_b', 'h1', now), undefined, 'a session is one tenant\'s');
  assert.equal(await sessions.find('ten_a', 'h1', now + 1000), undefined, 'idle expiry');
  await sessions.touch('ten_a', 'h1', now + 500, now + 9000, ['c']);
  assert.equal(await sessions.find('ten_a', 'h1', now + 5000), undefined, 'absolute expiry wins');
  assert.deepEqual((await sessions.find('ten_a', 'h1', now + 4000))!.clientIds, ['c']);
}

test('SQLite: authorization codes, pushed requests and login sessions', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-sign-in-store-'));
  const db = await openDb(`sqlite:${join(dir, 'signet.db')}`);
  try {
    await exercise(db);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('PostgreSQL: authorization codes, pushed requests and login sessions', async (t) => {
  if (!(await requirePostgres(t))) return;
  const pgdb = await freshPostgresDatabase();
  const db = await openDb(pgdb.url);
  try {
    await exercise(db);
  } finally {
    await db.close();
    await pgdb.drop();
  }
});
