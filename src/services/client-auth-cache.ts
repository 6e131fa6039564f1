import { createHash, timingSafeEqual } from 'node:crypto';
import type { Store, Client, Tenant } from '../store/index.ts';
import type { SecretBox } from '../domain/secret-box.ts';
import { importStoredKey } from '../domain/credentials/index.ts';
import type { AssertionPolicy, CandidateCredential } from '../domain/client-assertion/index.ts';
import { assertionPolicy } from '../domain/assertion-policy.ts';

export interface GrantView {
  id: string;
  scopes: Set<string>;
  /** Scopes the API defines (a grant may list a scope the API later dropped: never issue it). */
  apiScopes: Set<string>;
  tokenLifetime: number;
}

/**
 * Everything the token endpoint needs about one client, parsed once: the client, its enabled
 * private_key_jwt credentials as ready KeyObjects, its grants by audience, and its secret.
 * `stamp` is `{client version}:{tenant version}` at load time; the replay claim reads the live
 * stamp in the same step and a mismatch reloads, so a credential removed on another node is
 * refused at once.
 */
export interface ClientAuthContext {
  client: Client;
  /** The tenant as loaded with the client: its plan and policy are as current as the stamp. */
  tenant: Tenant;
  policy: AssertionPolicy;
  stamp: string;
  candidates: CandidateCredential[];
  grants: Map<string, GrantView>;
  secret: Buffer;
}

const MAX_ENTRIES = 10_000;

export class ClientAuthCache {
  private entries = new Map<string, ClientAuthContext | null>();
  private inflight = new Map<string, Promise<ClientAuthContext | null>>();

  constructor(private readonly store: Store, private readonly box: SecretBox) {}

  async get(tenantId: string, clientId: string): Promise<ClientAuthContext | null> {
    const key = `${tenantId}\u0000${clientId}`;
    const hit = this.entries.get(key);
    if (hit !== undefined) return hit;
    let p = this.inflight.get(key);
    if (!p) {
      p = this.load(tenantId, clientId).then(
        (ctx) => {
          this.inflight.delete(key);
          // Unknown clients are not cached: that would let anyone fill memory with made-up ids.
          if (ctx) {
            if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
            this.entries.set(key, ctx);
          }
          return ctx;
        },
        (err) => {
          this.inflight.delete(key);
          throw err;
        },
      );
      this.inflight.set(key, p);
    }
    return p;
  }

  invalidate(tenantId: string, clientId: string): void {
    this.entries.delete(`${tenantId}\u0000${clientId}`);
  }

  invalidateAll(): void {
    this.entries.clear();
  }

  private async load(tenantId: string, clientId: string): Promise<ClientAuthContext | null> {
    const { store } = this;
    const client = await store.clients.get(tenantId, clientId);
    if (!client) return null;
    const tenant = await store.tenants.get(tenantId);
    if (!tenant) return null;
    const enabled = new Set(await store.clients.enabledCredentialIds(clientId));
    const credentials = (await store.credentials.list(tenantId, clientId)).filter((c) => enabled.has(c.id));
    // A certificate stops verifying at its notAfter even when no explicit expiry was set.
    const candidates = credentials.map((c) => ({ id: c.id, kid: c.kid, alg: c.alg, key: importStoredKey(c.pem), expiresAt: earliest(c.expiresAt, c.certNotAfter) }));
    const apis = new Map((await store.resourceServers.list(tenantId)).map((rs) => [rs.identifier, rs]));
    const grants = new Map<string, GrantView>();
    for (const g of await store.clientGrants.list(tenantId, { clientId })) {
      const api = apis.get(g.audience);
      if (!api) continue;
      grants.set(g.audience, {
        id: g.id,
        scopes: new Set(g.scope),
        apiScopes: new Set(api.scopes.map((s) => s.value)),
        tokenLifetime: api.tokenLifetime,
      });
    }
    const secret = Buffer.from(this.box.open(client.clientSecretEnc, `client_secret:${clientId}`));
    return { client, tenant, policy: assertionPolicy(tenant.settings), stamp: `${client.version}:${tenant.version}`, candidates, grants, secret };
  }
}

/**
 * Constant-time secret comparison. Both sides are hashed first, so neither the content nor
 * the length of the expected secret leaks through timing.
 */
export function secretMatches(expected: Buffer, presented: string): boolean {
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(presented).digest();
  return timingSafeEqual(a, b);
}

const earliest = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));
