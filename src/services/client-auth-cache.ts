import { createHash, timingSafeEqual } from 'node:crypto';
import type { Store, Client, Tenant } from '../store/index.ts';
import type { SecretBox } from '../domain/secret-box.ts';
import { importStoredKey } from '../domain/credentials/index.ts';
import type { AssertionPolicy, CandidateCredential } from '../domain/client-assertion/index.ts';
import { assertionPolicy } from '../domain/assertion-policy.ts';
import { systemClock, type Clock } from '../domain/clock.ts';
import { apiTokenSigning, type ApiTokenSigning } from './api-token-signing.ts';

export interface GrantView {
  id: string;
  scopes: Set<string>;
  /** Scopes the API defines (a grant may list a scope the API later dropped: never issue it). */
  apiScopes: Set<string>;
  tokenLifetime: number;
  /** The API's signing_alg, with its HS256 secret already opened. */
  signing: ApiTokenSigning;
  /** Epoch ms: a token issued before its grant existed was issued under an earlier, deleted one. */
  createdAt: number;
}

/**
 * Everything the token endpoint needs about one client, parsed once: the client, its enabled
 * private_key_jwt credentials as ready KeyObjects, its grants by audience, and its secret.
 * `stamp` is `{client version}:{tenant version}` at load time; the replay claim reads the live
 * stamp in the same step and a mismatch reloads, so a credential removed on another node is
 * refused at once. The opposite direction (a change that *allows* the client, such as a new
 * credential or a higher plan) is caught by `revalidate` when the cached view refuses.
 */
export interface ClientAuthContext {
  client: Client;
  /** The tenant as loaded with the client: its plan and policy are as current as the stamp. */
  tenant: Tenant;
  policy: AssertionPolicy;
  stamp: string;
  candidates: CandidateCredential[];
  grants: Map<string, GrantView>;
  /** The client secret, opened on first use: a private_key_jwt client's token requests never need it. */
  secret(): Buffer;
}

/**
 * At most this many client views are kept, least recently used first out. A view (the client,
 * its parsed public keys, its grants) took about 10 KB of resident memory in the benchmark's
 * 100,000-client run (10,000 views: ~100 MB), so the bound is ~200 MB. A working set larger
 * than the bound is served, but every miss reloads the view from the database.
 */
export const MAX_CLIENT_VIEWS = 20_000;
/**
 * A cached view is reloaded after this long whatever its stamp, so a view can never outlive a
 * change by more than this even if every other signal was missed.
 */
export const CLIENT_VIEW_TTL_MS = 60_000;
/**
 * A refusal by a cached view asks the database for the live stamp at most once per this
 * interval per client: a flood of bad assertions costs one cheap query a second, not one each.
 */
export const REVALIDATE_INTERVAL_MS = 1_000;

interface Entry {
  ctx: ClientAuthContext;
  loadedAt: number;
  /** When a refusal last asked for the live stamp (never, right after a load). */
  revalidatedAt: number;
}

/** What the cache reports (metrics); every method is optional to call sites that don't watch it. */
export interface CacheCounters {
  hit(): void;
  miss(): void;
  /** `n` cached views dropped because their client or tenant changed. */
  invalidated(n?: number): void;
}

const UNCOUNTED: CacheCounters = { hit() {}, miss() {}, invalidated() {} };

export class ClientAuthCache {
  private entries = new Map<string, Entry>();
  private inflight = new Map<string, Promise<ClientAuthContext | null>>();
  private revalidating = new Map<string, Promise<ClientAuthContext | undefined>>();

  constructor(
    private readonly store: Store,
    private readonly box: SecretBox,
    private readonly clock: Clock = systemClock,
    private readonly counters: CacheCounters = UNCOUNTED,
    private readonly maxEntries = MAX_CLIENT_VIEWS,
  ) {}

  /** Views held now (at most maxEntries). */
  get size(): number {
    return this.entries.size;
  }

  async get(tenantId: string, clientId: string): Promise<ClientAuthContext | null> {
    const key = cacheKey(tenantId, clientId);
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      if (this.clock() - hit.loadedAt < CLIENT_VIEW_TTL_MS) {
        this.counters.hit();
        // Least recently used leaves first: a hit moves to the back (a Map keeps insertion order).
        this.entries.delete(key);
        this.entries.set(key, hit);
        return hit.ctx;
      }
      this.entries.delete(key);
    }
    this.counters.miss();
    let p = this.inflight.get(key);
    if (!p) {
      const loadedAt = this.clock();
      p = this.load(tenantId, clientId).then(
        (ctx) => {
          this.inflight.delete(key);
          // Unknown clients are not cached: that would let anyone fill memory with made-up ids.
          if (ctx) {
            if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
            this.entries.set(key, { ctx, loadedAt, revalidatedAt: -Infinity });
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

  /**
   * Called when `ctx` (a cached view) refused a request: returns a newer view when the client
   * or its tenant changed since `ctx` was loaded, otherwise undefined (the refusal stands).
   * A view replaced meanwhile is returned without asking the database; otherwise the live stamp
   * is read at most once per REVALIDATE_INTERVAL_MS per client, and concurrent refusals share
   * that one read.
   */
  async revalidate(tenantId: string, clientId: string, ctx: ClientAuthContext): Promise<ClientAuthContext | undefined> {
    const key = cacheKey(tenantId, clientId);
    const pending = this.revalidating.get(key);
    if (pending) return pending;
    const entry = this.entries.get(key);
    if (!entry || entry.ctx !== ctx) {
      // Invalidated or reloaded since `ctx` was handed out (a write in this process, a stamp
      // mismatch seen by another request): the current view costs at most one load.
      const current = await this.get(tenantId, clientId);
      return current && current !== ctx ? current : undefined;
    }
    const now = this.clock();
    if (now - entry.revalidatedAt < REVALIDATE_INTERVAL_MS) return undefined;
    entry.revalidatedAt = now;
    const p = (async () => {
      try {
        if ((await this.store.clients.stamp(clientId)) === ctx.stamp) return undefined;
        if (this.entries.get(key) === entry) {
          this.entries.delete(key);
          this.counters.invalidated();
        }
        const fresh = await this.get(tenantId, clientId);
        return fresh && fresh !== ctx ? fresh : undefined;
      } finally {
        this.revalidating.delete(key);
      }
    })();
    this.revalidating.set(key, p);
    return p;
  }

  invalidate(tenantId: string, clientId: string): void {
    if (this.entries.delete(cacheKey(tenantId, clientId))) this.counters.invalidated();
  }

  invalidateAll(): void {
    this.counters.invalidated(this.entries.size);
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
        signing: apiTokenSigning(api, this.box),
        createdAt: g.createdAt,
      });
    }
    const { box } = this;
    let secret: Buffer | undefined;
    const openSecret = () => (secret ??= Buffer.from(box.open(client.clientSecretEnc, `client_secret:${clientId}`)));
    return { client, tenant, policy: assertionPolicy(tenant.settings), stamp: `${client.version}:${tenant.version}`, candidates, grants, secret: openSecret };
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

const cacheKey = (tenantId: string, clientId: string) => `${tenantId}\u0000${clientId}`;

const earliest = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));
