/**
 * The scale benchmark's clients are seeded through the store layer, not the Management API:
 * they must be exactly what the server accepts as if made through the API. Started as the
 * benchmark starts it (`signet serve`, a real data directory), Signet must issue tokens to
 * seeded clients with each of their two keys, refuse a pool key that isn't theirs, and show
 * them through the Management API like any other application.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { signClientAssertion } from '../../src/domain/sign-client-assertion.ts';
import { ASSERTION_TYPE, API_IDENTIFIER, API_SCOPE, type Target } from '../../bench/common.ts';
import { startSignet, type SignetTarget } from '../../bench/signet-target.ts';
import { rsaKeyPool, type KeyPairPem } from '../../bench/seed-clients.ts';

const CLIENTS = 50;
const logDir = mkdtempSync(join(tmpdir(), 'signet-seed-test-'));
let t: SignetTarget;
let keys: KeyPairPem[];
let pool: NonNullable<Target['assertionPool']>;

before(async () => {
  // Three keys: client i has keys i mod 3 and (i + 1) mod 3, so key (i + 2) mod 3 is someone else's.
  keys = await rsaKeyPool(3);
  t = await startSignet({ workers: 1, logDir, scale: { clients: CLIENTS, active: CLIENTS, keyPool: keys } });
  pool = t.assertionPool!;
});
after(async () => {
  await t?.stop();
  rmSync(logDir, { recursive: true, force: true });
});

async function token(clientId: string, kid: string, key: number): Promise<{ status: number; body: Record<string, unknown> }> {
  const assertion = signClientAssertion({ clientId, audience: t.issuer, kid, privateKey: createPrivateKey(keys[key]!.privateKeyPem) });
  const r = await fetch(t.origin + t.tokenPath, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: assertion, audience: API_IDENTIFIER, scope: API_SCOPE }),
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

test(`${CLIENTS} seeded clients, each with two credentials from a shared key pool`, () => {
  assert.equal(pool.clients.length, CLIENTS);
  assert.equal(new Set(pool.clients.map((c) => c.clientId)).size, CLIENTS);
  for (const [i, c] of pool.clients.entries()) {
    assert.deepEqual(c.credentials.map((x) => x.key), [i % 3, (i + 1) % 3]);
    assert.notEqual(c.credentials[0].kid, c.credentials[1].kid);
  }
  assert.ok(t.seedSeconds !== undefined && t.seedSeconds >= 0);
});

test('seeded clients get tokens with each of their two keys, verified against the JWKS', async () => {
  const jwks = createRemoteJWKSet(new URL(t.jwksUrl));
  for (const i of [0, 1, 2, 17, CLIENTS - 1]) {
    const c = pool.clients[i]!;
    for (const cred of c.credentials) {
      const r = await token(c.clientId, cred.kid, cred.key);
      assert.equal(r.status, 200, `client ${i}, key ${cred.key}: ${JSON.stringify(r.body)}`);
      const { payload } = await jwtVerify(r.body.access_token as string, jwks, { issuer: t.issuer, audience: API_IDENTIFIER });
      assert.equal(payload.sub, `${c.clientId}@clients`);
      assert.equal(payload.scope, API_SCOPE);
    }
  }
});

test("a pool key that isn't one of the client's credentials is refused", async () => {
  const c = pool.clients[5]!;
  const other = (5 + 2) % 3;
  // Another client's kid for that key, and no kid at all: neither gets a token.
  const kidOfOther = pool.clients.find((x) => x.credentials.some((k) => k.key === other))!.credentials.find((k) => k.key === other)!.kid;
  assert.equal((await token(c.clientId, kidOfOther, other)).status, 401);
  const assertion = signClientAssertion({ clientId: c.clientId, audience: t.issuer, privateKey: createPrivateKey(keys[other]!.privateKeyPem) });
  const r = await fetch(t.origin + t.tokenPath, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: assertion, audience: API_IDENTIFIER }),
  });
  assert.equal(r.status, 401);
});

test('the Management API shows a seeded client like one it created: private_key_jwt with both credentials, and its grant', async () => {
  const c = pool.clients[9]!;
  const client = (await t.api('GET', `/clients/${c.clientId}`)) as any;
  assert.equal(client.app_type, 'non_interactive');
  assert.deepEqual(client.grant_types, ['client_credentials']);
  assert.equal(client.client_authentication_methods.private_key_jwt.credentials.length, 2);
  const credentials = (await t.api('GET', `/clients/${c.clientId}/credentials`)) as { kid: string; alg: string; credential_type: string }[];
  assert.deepEqual(credentials.map((x) => x.kid).sort(), c.credentials.map((x) => x.kid).sort());
  assert.ok(credentials.every((x) => x.alg === 'RS256' && x.credential_type === 'public_key'));
  const grants = (await t.api('GET', `/client-grants?client_id=${c.clientId}`)) as { audience: string; scope: string[] }[];
  assert.deepEqual(grants.map((g) => [g.audience, g.scope]), [[API_IDENTIFIER, [API_SCOPE]]]);
});
