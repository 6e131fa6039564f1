import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { isAsymmetricTokenAlg, type AsymmetricTokenAlg, type VerificationKey } from '../domain/jwt-sign.ts';
import type { Config } from '../config.ts';
import type { Store, Tenant } from '../store/index.ts';
import type { SigningKey } from '../store/signing-keys.ts';
import { issuerFor } from './tenants.ts';

/** What a request's Host resolves to: the tenant and the URLs it is addressed by on that host. */
export interface TenantContext {
  tenant: Tenant;
  host: string;
  /** Issuer identifier on this host (custom domains are issuers of their own, as on Auth0). */
  issuer: string;
  /** Issuer of the tenant's primary domain (the Management API audience is built from it). */
  primaryIssuer: string;
  tokenEndpoint: string;
}

const STAMP_CHECK_MS = 1000;

/**
 * Host → tenant, held in memory. Only hosts stored in `domains` resolve; an unknown Host is
 * never turned into an issuer. Changes made by other processes (CLI, other workers, other
 * nodes) are picked up by a cheap stamp query at most once a second, and at once when a
 * request names a host this process has not seen yet but the database has.
 */
export class TenantDirectory {
  private byHost = new Map<string, TenantContext>();
  private stamp = '';
  private lastCheck = 0;
  private loading: Promise<void> | null = null;
  /** Per tenant: the current key of each family used so far, for one tenant version. */
  private keys = new Map<string, { version: number; byAlg: Partial<Record<AsymmetricTokenAlg, SigningKey>> }>();
  private publicKeys = new Map<string, { version: number; keys: Map<string, VerificationKey> }>();
  /** Families being made for a tenant at minting (`${tenantId} ${alg}`), so concurrent requests wait for one. */
  private making = new Map<string, Promise<boolean>>();
  /** Moves on every forgetKeys, so a key read that raced with a rotation is not cached. */
  private generation = 0;

  constructor(private readonly store: Store, private readonly config: Config) {}

  async resolve(hostHeader: string | undefined): Promise<TenantContext | undefined> {
    if (!hostHeader) return undefined;
    const host = hostHeader.toLowerCase();
    const now = Date.now();
    if (now - this.lastCheck > STAMP_CHECK_MS) {
      this.lastCheck = now;
      if ((await this.store.tenants.stamp()) !== this.stamp) await this.reload();
    }
    let ctx = this.byHost.get(host);
    // A host created by another process since our last look: one primary-key lookup tells,
    // and only a host that really exists costs a reload (made-up hosts cannot force reloads).
    if (!ctx && (await this.store.tenants.hostExists(host))) {
      await this.reload();
      ctx = this.byHost.get(host);
    }
    return ctx;
  }

  /** Forces a reload (after this process changed a tenant, or when the token path saw a new tenant version). */
  async reload(): Promise<void> {
    if (!this.loading) {
      this.loading = this.load().finally(() => {
        this.loading = null;
      });
    }
    return this.loading;
  }

  private async load(): Promise<void> {
    const stamp = await this.store.tenants.stamp();
    const tenants = new Map((await this.store.tenants.list()).map((t) => [t.id, t]));
    const domains = await this.store.tenants.domains();
    const primary = new Map(domains.filter((d) => d.isPrimary).map((d) => [d.tenantId, d.host]));
    const next = new Map<string, TenantContext>();
    for (const d of domains) {
      const tenant = tenants.get(d.tenantId);
      if (!tenant) continue;
      const issuer = issuerFor(this.config, d.host);
      next.set(d.host, {
        tenant,
        host: d.host,
        issuer,
        primaryIssuer: issuerFor(this.config, primary.get(d.tenantId) ?? d.host),
        tokenEndpoint: `${issuer}oauth/token`,
      });
    }
    this.byHost = next;
    this.stamp = stamp;
    this.lastCheck = Date.now();
  }

  /** The tenant's context on its primary domain (a reload only when the name is not known yet, e.g. just created elsewhere). */
  async byName(name: string): Promise<TenantContext | undefined> {
    const find = () => {
      for (const ctx of this.byHost.values()) if (ctx.tenant.name === name && ctx.issuer === ctx.primaryIssuer) return ctx;
      return undefined;
    };
    const now = Date.now();
    if (now - this.lastCheck > STAMP_CHECK_MS) {
      this.lastCheck = now;
      if ((await this.store.tenants.stamp()) !== this.stamp) await this.reload();
    }
    const hit = find();
    if (hit) return hit;
    await this.reload();
    return find();
  }

  /** Every tenant on its primary domain, by name. */
  async all(): Promise<TenantContext[]> {
    await this.reload();
    return [...this.byHost.values()].filter((c) => c.issuer === c.primaryIssuer).sort((a, b) => a.tenant.name.localeCompare(b.tenant.name));
  }

  /**
   * The tenant's current signing key of `alg`, decrypted once per tenant version. A rotation
   * bumps the version: the process that rotated calls `forgetKeys` at once; every other process
   * sees the new version at its next stamp check (at most STAMP_CHECK_MS later) and reloads.
   * A family the tenant does not have yet (an API's algorithm chosen before the family existed,
   * e.g. by an older version) is made here, once, before the first token of it is signed.
   */
  async signingKey(tenant: Tenant, alg: AsymmetricTokenAlg = 'RS256'): Promise<SigningKey> {
    const hit = this.keys.get(tenant.id);
    if (hit !== undefined && hit.version === tenant.version) {
      const key = hit.byAlg[alg];
      if (key !== undefined) return key;
    }
    const generation = this.generation;
    let key = await this.store.signingKeys.current(tenant.id, alg);
    if (!key && alg !== 'RS256') {
      await this.makeFamily(tenant.id, alg);
      key = await this.store.signingKeys.current(tenant.id, alg);
    }
    if (!key) throw new Error(`Tenant ${tenant.name} has no ${alg} signing key`);
    // A read that began before forgetKeys may hold the replaced key: use it once, never cache it.
    if (generation === this.generation) {
      const entry = this.keys.get(tenant.id);
      if (entry !== undefined && entry.version === tenant.version) entry.byAlg[alg] = key;
      else this.keys.set(tenant.id, { version: tenant.version, byAlg: { [alg]: key } });
    }
    return key;
  }

  private async makeFamily(tenantId: string, alg: AsymmetricTokenAlg): Promise<void> {
    const id = `${tenantId} ${alg}`;
    let p = this.making.get(id);
    if (!p) {
      p = this.store.signingKeys.ensureFamily(tenantId, alg, Date.now()).finally(() => this.making.delete(id));
      this.making.set(id, p);
    }
    // The new keys are published: every cached JWKS view of the tenant must see them.
    if (await p) await this.forgetKeys(tenantId);
  }

  /**
   * kid → public key and its family's algorithm, for verifying tokens this tenant issued (its
   * JWKS), parsed once per tenant version.
   */
  async verificationKeys(tenant: Tenant): Promise<Map<string, VerificationKey>> {
    const hit = this.publicKeys.get(tenant.id);
    if (hit && hit.version === tenant.version) return hit.keys;
    const generation = this.generation;
    const jwks = await this.store.signingKeys.publicJwks(tenant.id);
    const keys = new Map<string, VerificationKey>();
    for (const j of jwks) {
      if (!isAsymmetricTokenAlg(j.alg)) continue;
      keys.set(j.kid, { alg: j.alg, key: createPublicKey({ key: j as unknown as JsonWebKey, format: 'jwk' }) });
    }
    if (generation === this.generation) this.publicKeys.set(tenant.id, { version: tenant.version, keys });
    return keys;
  }

  /** After this process rotated or revoked a tenant's keys: drop them now, then reload the tenant's version. */
  async forgetKeys(tenantId: string): Promise<void> {
    this.generation++;
    this.keys.delete(tenantId);
    this.publicKeys.delete(tenantId);
    await this.reload();
  }
}
