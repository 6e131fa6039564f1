import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../src/config.ts';
import { SecretBox } from '../src/domain/secret-box.ts';
import { openStore } from '../src/store/index.ts';
import { createTenant, ensureDefaultTenant } from '../src/services/tenants.ts';
import { followPublicUrl } from '../src/services/public-url.ts';
import { publicUrlChanges } from '../src/cli/serve.ts';
import { freshPostgresDatabase, requirePostgres } from './support/services.ts';

/**
 * followPublicUrl on both databases: what moves with the public URL, what stays (custom
 * domains), and a tenant that cannot move because its new subdomain is someone's custom
 * domain (reported in the banner, the start goes on).
 */
async function scenario(databaseUrl: string) {
  const dir = mkdtempSync(join(tmpdir(), 'signet-follow-'));
  const env = { SIGNET_DATA_DIR: dir, SIGNET_MASTER_KEY: randomBytes(32).toString('hex'), SIGNET_DATABASE_URL: databaseUrl };
  const at3000 = loadConfig({ ...env, SIGNET_PUBLIC_URL: 'http://localhost:3000' });
  const at4000 = loadConfig({ ...env, SIGNET_PUBLIC_URL: 'https://localhost:4000' });
  const box = new SecretBox(at3000.masterKey);
  const store = await openStore(databaseUrl, box);
  try {
    await ensureDefaultTenant(store, box, at3000);
    const first = await followPublicUrl(store, at3000);
    assert.deepEqual(first, { previous: undefined, moved: [], blocked: [] }, 'the first start moves nothing');
    const acme = await createTenant(store, box, at3000, { name: 'acme' });
    await createTenant(store, box, at3000, { name: 'beta' });
    const acmeId = (await store.tenants.getByName('acme'))!.id;
    await store.tenants.addDomain(acmeId, 'auth.acme.example');
    // Added under the old URL, this custom domain is beta's subdomain under the new one.
    await store.tenants.addDomain(acmeId, 'beta.localhost:4000');

    const followed = await followPublicUrl(store, at4000);
    assert.equal(followed.previous, 'http://localhost:3000');
    assert.deepEqual(followed.moved, [
      { tenant: 'default', from: 'http://localhost:3000/', to: 'https://localhost:4000/' },
      { tenant: 'acme', from: 'http://acme.localhost:3000/', to: 'https://acme.localhost:4000/' },
    ]);
    assert.deepEqual(followed.blocked, [{ tenant: 'beta', stays: 'beta.localhost:3000', reason: 'beta.localhost:4000 is a custom domain of tenant acme' }]);
    const banner = publicUrlChanges(followed).join('\n');
    assert.match(banner, /the default tenant's issuer is now https:\/\/localhost:4000\/ \(was http:\/\/localhost:3000\/\)/);
    assert.match(banner, /Tenant beta stays at beta\.localhost:3000: beta\.localhost:4000 is a custom domain of tenant acme\./);

    const hosts = async (name: string) => {
      const id = (await store.tenants.getByName(name))!.id;
      return (await store.tenants.domains()).filter((d) => d.tenantId === id).map((d) => `${d.host}${d.isPrimary ? ' (primary)' : ''}`).sort();
    };
    assert.deepEqual(await hosts('default'), ['localhost:4000 (primary)']);
    assert.deepEqual(await hosts('acme'), ['acme.localhost:4000 (primary)', 'auth.acme.example', 'beta.localhost:4000']);
    assert.deepEqual(await hosts('beta'), ['beta.localhost:3000 (primary)']);
    // The Management API audience and its grant moved with the issuer.
    assert.equal((await store.resourceServers.system(acmeId))!.identifier, 'https://acme.localhost:4000/api/v2/');
    const grants = await store.clientGrants.list(acmeId, { clientId: acme.management.client_id });
    assert.deepEqual(grants.map((g) => g.audience), ['https://acme.localhost:4000/api/v2/']);
    assert.equal(await store.tenants.recordedPublicUrl(), 'https://localhost:4000');

    const again = await followPublicUrl(store, at4000);
    assert.deepEqual(again.moved, [], 'a second start on the same URL moves nothing');
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('SQLite: the default tenant and tenant subdomains follow the public URL; custom domains stay; a taken subdomain is reported', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-follow-db-'));
  try {
    await scenario(`sqlite:${join(dir, 'signet.db')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('PostgreSQL: the default tenant and tenant subdomains follow the public URL; custom domains stay; a taken subdomain is reported', async (t) => {
  if (!(await requirePostgres(t))) return;
  const db = await freshPostgresDatabase();
  try {
    await scenario(db.url);
  } finally {
    await db.drop();
  }
});
