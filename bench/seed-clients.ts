/**
 * Seeds many M2M applications into a Signet database for the scale benchmark, fast: through
 * Signet's own store layer (src/store) in batched transactions, not one Management API call
 * per client (100,000 clients × 2 credentials would take longer than the measurement).
 *
 * Kept honest by construction:
 * - every seeded client is a copy of a *template* client that the benchmark created through the
 *   Management API (app type, grant types, jwt alg, extras, auth method), with its own
 *   client_id and its own sealed client secret, as ClientService.create makes them;
 * - every credential is what Signet's own check (checkNewCredential, the code behind
 *   POST /clients and POST /clients/{id}/credentials) returns for that public key, including
 *   its uniqueness rules against the client's other credential;
 * - every client gets a client grant for the API copied from the template's grant (scope, extras).
 * The credential store's uniqueness rules are per client (client_id + thumbprint, client_id + kid),
 * so the same public key may serve several clients: client i gets keys (i mod K) and
 * ((i + 1) mod K) of a pool of K distinct RSA-2048 key pairs (generating 200,000 would take minutes).
 * The caller checks that a few random seeded clients get tokens before any timed phase.
 */
import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { loadConfig } from '../src/config.ts';
import { SecretBox } from '../src/domain/secret-box.ts';
import { openStore, type Client } from '../src/store/index.ts';
import { checkMasterKey } from '../src/store/sealed-columns.ts';
import { checkNewCredential, type CheckedCredential } from '../src/domain/credentials/index.ts';
import { newClientGrantId, newClientId, newClientSecret } from '../src/domain/ids.ts';
import { credentialRow } from '../src/services/credentials.ts';

export interface KeyPairPem {
  privateKeyPem: string;
  publicKeyPem: string;
}

/** One seeded client: its id and, for each of its two credentials, the kid and the index of the key in the pool. */
export interface SeededClient {
  clientId: string;
  credentials: [{ kid: string; key: number }, { kid: string; key: number }];
}

const generate = promisify(generateKeyPair);

/** K distinct RSA-2048 key pairs, generated on libuv's thread pool (all cores). */
export async function rsaKeyPool(k: number): Promise<KeyPairPem[]> {
  return Promise.all(
    Array.from({ length: k }, async () => {
      const { privateKey, publicKey } = await generate('rsa', {
        modulusLength: 2048,
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      });
      return { privateKeyPem: privateKey, publicKeyPem: publicKey };
    }),
  );
}

export async function seedClients(opts: {
  /** The server's environment (SIGNET_DATA_DIR for the master key, SIGNET_DATABASE_URL when not SQLite). */
  env: NodeJS.ProcessEnv;
  tenantName: string;
  /** A client created through the Management API, with its client grant for `audience`: what every seeded client copies. */
  templateClientId: string;
  audience: string;
  count: number;
  keys: KeyPairPem[];
  /** Clients per transaction. */
  batch?: number;
}): Promise<{ clients: SeededClient[]; seconds: number }> {
  if (opts.keys.length < 2) throw new Error('seedClients needs at least 2 distinct keys (each client has two credentials, which must differ)');
  const started = performance.now();
  const config = loadConfig(opts.env);
  const box = new SecretBox(config.masterKey, config.otherMasterKeys);
  const store = await openStore(config.databaseUrl, box);
  try {
    await checkMasterKey(store.db, box); // the server's key, or nothing seeded could be opened by it
    const tenant = await store.tenants.getByName(opts.tenantName);
    if (!tenant) throw new Error(`seedClients: no tenant named ${opts.tenantName}`);
    const template = await store.clients.get(tenant.id, opts.templateClientId);
    if (!template || !template.privateKeyJwt) throw new Error('seedClients: the template client must exist and use private_key_jwt');
    const { version: _v, createdAt: _c, updatedAt: _u, ...fields } = template;
    const [grant] = await store.clientGrants.list(tenant.id, { clientId: template.clientId, audience: opts.audience });
    if (!grant) throw new Error(`seedClients: the template client has no grant for ${opts.audience}`);

    // Signet's own credential check, once per key (first credential) and once per pair (the
    // second, checked against the first as client creation does): the results depend only on the key.
    const now = new Date();
    const input = (k: number, name: string) => ({ credential_type: 'public_key', name, alg: 'RS256', pem: opts.keys[k]!.publicKeyPem });
    const K = opts.keys.length;
    const first: CheckedCredential[] = [];
    const second: CheckedCredential[] = [];
    for (let k = 0; k < K; k++) first.push(checkNewCredential(input(k, 'bench-a'), { now, existing: [] }));
    for (let k = 0; k < K; k++) {
      const a = first[k]!;
      second.push(checkNewCredential(input((k + 1) % K, 'bench-b'), { now, existing: [{ id: 'first', kid: a.kid, thumbprint: a.thumbprint }] }));
    }

    const clients: SeededClient[] = [];
    const batch = opts.batch ?? 1000;
    // PostgreSQL answers each statement over the network: a few transactions at once keep it busy.
    const parallel = store.db.dialect === 'postgres' ? 4 : 1;
    const batches: number[] = [];
    for (let from = 0; from < opts.count; from += batch) batches.push(from);
    const seedBatch = (from: number) =>
      store.db.transaction(async (tx) => {
        for (let i = from; i < Math.min(opts.count, from + batch); i++) {
          const clientId = newClientId();
          const a = first[i % K]!;
          const b = second[i % K]!;
          const client: Omit<Client, 'version' | 'createdAt' | 'updatedAt'> = {
            ...fields,
            clientId,
            name: `bench-m2m-${i}`,
            clientSecretEnc: box.seal(newClientSecret(), `client_secret:${clientId}`),
          };
          await store.clients.insert(client, tx);
          const ca = await store.credentials.insert(credentialRow(a, tenant.id, clientId), tx);
          const cb = await store.credentials.insert(credentialRow(b, tenant.id, clientId), tx);
          await store.clients.setEnabledCredentialIds(clientId, [ca.id, cb.id], tx);
          await store.clientGrants.insert({ id: newClientGrantId(), tenantId: tenant.id, clientId, audience: grant.audience, scope: grant.scope, extras: grant.extras }, tx);
          clients[i] = { clientId, credentials: [{ kid: a.kid, key: i % K }, { kid: b.kid, key: (i + 1) % K }] };
        }
      });
    for (let j = 0; j < batches.length; j += parallel) await Promise.all(batches.slice(j, j + parallel).map(seedBatch));
    return { clients, seconds: (performance.now() - started) / 1000 };
  } finally {
    await store.close();
  }
}
