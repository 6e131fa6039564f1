import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { ASYMMETRIC_TOKEN_ALGS, type AsymmetricTokenAlg } from '../domain/jwt-sign.ts';
import type { Db, Queryable } from './sql/db.ts';
import type { SecretBox } from '../domain/secret-box.ts';
import { jwkThumbprint } from '../domain/credentials/index.ts';
import { certificateSha1, selfSignedCertificate } from '../domain/self-signed-certificate.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../domain/errors.ts';

const generate = promisify(generateKeyPair);

/** The key pair each family's keys are: RSA 2048 for the RSA algorithms (as Auth0's), P-256 for ES256, Ed25519 for EdDSA. */
function generateFor(alg: AsymmetricTokenAlg): Promise<{ privateKey: KeyObject }> {
  switch (alg) {
    case 'ES256':
      return generate('ec', { namedCurve: 'P-256' });
    case 'EdDSA':
      return generate('ed25519');
    default:
      return generate('rsa', { modulusLength: 2048 });
  }
}

/**
 * Key families in ASYMMETRIC_TOKEN_ALGS order, RS256 (every tenant's, and the one ID and
 * Management API tokens use) first; spelled out rather than `ORDER BY alg`, whose order would
 * follow the database's collation.
 */
const FAMILY_ORDER = `CASE alg ${ASYMMETRIC_TOKEN_ALGS.map((alg, i) => `WHEN '${alg}' THEN ${i}`).join(' ')} ELSE ${ASYMMETRIC_TOKEN_ALGS.length} END`;

/** Validity of a signing key's certificate. Nothing checks it (a key is trusted while it is published); Auth0's run ten years too. */
const CERT_LIFETIME_MS = 10 * 365 * 24 * 3600 * 1000;

/**
 * Bounds that keep the JWKS and the key list small whatever a script does: rotation is refused
 * while this many replaced keys of one family are still published (revoke one first), and the
 * list shows this many revoked keys, newest first.
 */
export const MAX_PREVIOUS_KEYS = 10;
const LISTED_REVOKED_KEYS = 10;

export type SigningKeyStatus = 'next' | 'current' | 'previous' | 'revoked';

export interface PublicSigningJwk extends JsonWebKey {
  kid: string;
  alg: string;
  use: string;
  x5c?: string[];
  x5t?: string;
}

export interface SigningKey {
  kid: string;
  alg: AsymmetricTokenAlg;
  publicJwk: PublicSigningJwk;
  privateKey: KeyObject;
}

/** What may be shown about a key: never its private half. */
export interface SigningKeyInfo {
  kid: string;
  alg: AsymmetricTokenAlg;
  status: SigningKeyStatus;
  certDer: Buffer;
  createdAt: number;
  currentSince: number | null;
  currentUntil: number | null;
  revokedAt: number | null;
}

interface Row {
  kid: string;
  tenant_id: string;
  alg: AsymmetricTokenAlg;
  status: SigningKeyStatus;
  public_jwk: string;
  private_key_enc: string;
  cert_der: string | null;
  created_at: number;
  current_since: number | null;
  current_until: number | null;
  revoked_at: number | null;
}

interface KeyMaterial {
  kid: string;
  alg: AsymmetricTokenAlg;
  publicJwk: PublicSigningJwk;
  sealed: string;
  certDer: Buffer;
}

export interface InitialKeys {
  current: KeyMaterial;
  next: KeyMaterial;
}

const num = (v: number | string | null) => (v === null ? null : Number(v));

/**
 * Each tenant's token signing keys, in one family per algorithm (the `alg` column), each with
 * Auth0's life cycle: one `current` key signs;
 * a `next` key is already published in the JWKS so relying parties know it before it signs;
 * rotation makes next → current, current → previous and makes a new next; `previous` keys stay
 * published until revoked; `revoked` keys are never published again. The private half is
 * sealed with the master key and never leaves this class except as a KeyObject to sign with.
 * Every tenant has the RS256 family (its ID tokens and Management API tokens use it); the
 * others are made when an API first asks for its algorithm (`ensureFamily`), and from then on
 * rotate with it.
 *
 * Every change first bumps the tenant's version inside its transaction: that row lock
 * serialises concurrent rotations of one tenant (PostgreSQL; SQLite transactions are already
 * exclusive), and the new version tells every process's caches (TenantDirectory) to reload.
 */
export class SigningKeyStore {
  constructor(private readonly db: Db, private readonly box: SecretBox) {}

  /** Key material for a new tenant (made before its transaction opens, so no lock is held while RSA keys are generated). */
  async prepareInitial(commonName: string, now: number, alg: AsymmetricTokenAlg = 'RS256'): Promise<InitialKeys> {
    const [current, next] = await Promise.all([this.material(commonName, now, alg), this.material(commonName, now, alg)]);
    return { current, next };
  }

  /** The first keys of a new tenant: a current one and the next one, already published. */
  async insertInitial(tenantId: string, keys: InitialKeys, now: number, q: Queryable = this.db): Promise<void> {
    await this.insert(q, tenantId, keys.current, 'current', now);
    await this.insert(q, tenantId, keys.next, 'next', now);
  }

  /**
   * Makes the tenant's `alg` family (a current and a next key) unless it has it already; true
   * when this call made it. Through makeOnce, so concurrent callers (other requests, other
   * processes) never leave more than one current key per family.
   */
  async ensureFamily(tenantId: string, alg: AsymmetricTokenAlg, now: number): Promise<boolean> {
    return this.makeOnce(
      tenantId,
      alg,
      'current',
      async () => this.prepareInitial(await this.commonName(tenantId), now, alg),
      (tx, keys) => this.insertInitial(tenantId, keys, now, tx),
      now,
    );
  }

  /** The key new tokens of `alg` are signed with (the newest `current` one of that family); undefined while the tenant has no such family. */
  async current(tenantId: string, alg: AsymmetricTokenAlg = 'RS256'): Promise<SigningKey | undefined> {
    const r = await this.db.get<Row>(`SELECT * FROM signing_keys WHERE tenant_id = ? AND alg = ? AND status = 'current' ORDER BY created_at DESC LIMIT 1`, [tenantId, alg]);
    if (!r) return undefined;
    return { kid: r.kid, alg: r.alg, publicJwk: JSON.parse(r.public_jwk), privateKey: this.open(r) };
  }

  /**
   * Public keys for the JWKS, family by family (RS256 first, so its current key leads): current,
   * next, then previous ones (newest first), each with its `alg` and `kty`, its certificate
   * (`x5c`) and the certificate's SHA-1 thumbprint (`x5t`) once it has one. HS256 secrets are
   * not keys of this table and are never published.
   */
  async publicJwks(tenantId: string): Promise<PublicSigningJwk[]> {
    const rows = await this.db.all<Row>(
      `SELECT kid, status, public_jwk, cert_der, created_at FROM signing_keys WHERE tenant_id = ? AND status IN ('current', 'next', 'previous')
       ORDER BY ${FAMILY_ORDER}, CASE status WHEN 'current' THEN 0 WHEN 'next' THEN 1 ELSE 2 END, created_at DESC, kid`,
      [tenantId],
    );
    return rows.map((r) => {
      const jwk = JSON.parse(r.public_jwk) as PublicSigningJwk;
      if (r.cert_der === null) return jwk;
      const der = Buffer.from(r.cert_der, 'base64');
      return { ...jwk, x5c: [r.cert_der], x5t: certificateSha1(der).toString('base64url') };
    });
  }

  /**
   * The tenant's keys of every family (in the JWKS's order): every published one (current,
   * next, previous) and the most recently revoked ones (at most LISTED_REVOKED_KEYS; older ones
   * are still found by kid).
   */
  async list(tenantId: string): Promise<SigningKeyInfo[]> {
    const published = await this.db.all<Row>(
      `SELECT * FROM signing_keys WHERE tenant_id = ? AND status <> 'revoked'
       ORDER BY ${FAMILY_ORDER}, CASE status WHEN 'current' THEN 0 WHEN 'next' THEN 1 ELSE 2 END, created_at DESC, kid`,
      [tenantId],
    );
    const revoked = await this.db.all<Row>(
      `SELECT * FROM signing_keys WHERE tenant_id = ? AND status = 'revoked' ORDER BY revoked_at DESC, kid LIMIT ${LISTED_REVOKED_KEYS}`,
      [tenantId],
    );
    return Promise.all([...published, ...revoked].map((r) => this.info(r)));
  }

  async get(tenantId: string, kid: string): Promise<SigningKeyInfo | undefined> {
    const r = await this.db.get<Row>(`SELECT * FROM signing_keys WHERE tenant_id = ? AND kid = ?`, [tenantId, kid]);
    return r && this.info(r);
  }

  /**
   * Rotates every family the tenant has, in one transaction: in each, the next key becomes
   * current, the current one previous (still published), and a new next key is made and
   * published. Refused, changing nothing, while any family already has MAX_PREVIOUS_KEYS
   * previous keys. Returns the RS256 key that now signs (what Auth0's rotation answers with).
   */
  async rotate(tenantId: string, now: number): Promise<SigningKeyInfo> {
    const families = async (q: Queryable) =>
      (await q.all<{ alg: AsymmetricTokenAlg }>(`SELECT DISTINCT alg FROM signing_keys WHERE tenant_id = ? AND status = 'current'`, [tenantId])).map((r) => r.alg);
    const commonName = await this.commonName(tenantId);
    const fresh = new Map<AsymmetricTokenAlg, KeyMaterial>();
    // A family made by another process meanwhile has no fresh key yet: make one and look again.
    for (let attempt = 0; attempt < 3; attempt++) {
      for (const alg of await families(this.db)) {
        await this.ensureNext(tenantId, now, alg);
        if (!fresh.has(alg)) fresh.set(alg, await this.material(commonName, now, alg));
      }
      const kid = await this.db.transaction(async (tx) => {
        await lockTenant(tx, tenantId, now);
        const algs = await families(tx);
        if (algs.some((alg) => !fresh.has(alg))) return 'retry';
        const nexts = new Map<AsymmetricTokenAlg, string>();
        for (const alg of algs) {
          const next = await tx.get<{ kid: string }>(`SELECT kid FROM signing_keys WHERE tenant_id = ? AND alg = ? AND status = 'next' ORDER BY created_at LIMIT 1`, [tenantId, alg]);
          // ensureNext made one and only rotation consumes it, and rotation adds another in the same transaction.
          if (!next) throw new Error(`Tenant ${tenantId} has no next ${alg} signing key`);
          nexts.set(alg, next.kid);
          const previous = await tx.get<{ n: number | string }>(`SELECT COUNT(*) AS n FROM signing_keys WHERE tenant_id = ? AND alg = ? AND status = 'previous'`, [tenantId, alg]);
          if (Number(previous?.n ?? 0) >= MAX_PREVIOUS_KEYS) {
            throw new ConflictError(
              'too_many_signing_keys',
              `${MAX_PREVIOUS_KEYS} previously used signing keys are still published; revoke one${alg === 'RS256' ? '' : ` of the ${alg} ones`} (PUT /api/v2/keys/signing/{kid}/revoke) before rotating again.`,
            );
          }
        }
        for (const [alg, kid] of nexts) {
          await tx.run(`UPDATE signing_keys SET status = 'previous', current_until = ? WHERE tenant_id = ? AND alg = ? AND status = 'current'`, [now, tenantId, alg]);
          await tx.run(`UPDATE signing_keys SET status = 'current', current_since = ? WHERE tenant_id = ? AND kid = ?`, [now, tenantId, kid]);
          await this.insert(tx, tenantId, fresh.get(alg)!, 'next', now);
        }
        const rs256 = nexts.get('RS256');
        if (rs256 === undefined) throw new Error(`Tenant ${tenantId} has no RS256 signing key`);
        return rs256;
      });
      if (kid !== 'retry') return (await this.get(tenantId, kid))!;
    }
    throw new ConflictError('signing_key_changed', 'The signing keys changed while they were being rotated; try again.');
  }

  /**
   * Revokes a previous key: it leaves the JWKS, so tokens it signed stop verifying. The
   * current key cannot be revoked (rotate first), nor the next one (it has signed nothing).
   * Revoking a revoked key changes nothing and answers the same.
   */
  async revoke(tenantId: string, kid: string, now: number): Promise<{ key: SigningKeyInfo; changed: boolean }> {
    const changed = await this.db.transaction(async (tx) => {
      await lockTenant(tx, tenantId, now);
      const row = await tx.get<{ status: SigningKeyStatus }>(`SELECT status FROM signing_keys WHERE tenant_id = ? AND kid = ?`, [tenantId, kid]);
      if (!row) throw new NotFoundError('inexistent_signing_key', 'Signing key not found');
      if (row.status === 'revoked') return false;
      if (row.status === 'current') {
        throw new InvalidInputError('cannot_revoke_current_key', 'The current signing key cannot be revoked. Rotate the signing key first; the key it replaces can then be revoked.', 'kid');
      }
      if (row.status === 'next') {
        throw new InvalidInputError('cannot_revoke_next_key', 'The next signing key cannot be revoked: it has not signed anything yet. Only a previously used key can be revoked.', 'kid');
      }
      const r = await tx.run(`UPDATE signing_keys SET status = 'revoked', revoked_at = ? WHERE tenant_id = ? AND kid = ? AND status = 'previous'`, [now, tenantId, kid]);
      if (r.changes !== 1) throw new ConflictError('signing_key_changed', 'The signing key changed while it was being revoked; try again.');
      return true;
    });
    return { key: (await this.get(tenantId, kid))!, changed };
  }

  /**
   * Brings keys made by earlier versions up to date; idempotent, and safe when several
   * processes run it at once: each tenant gets a next key (made outside the transaction,
   * inserted only if the tenant still has none), and each key a certificate (stored only if
   * it still has none). Run at start-up; returns what it did.
   */
  async upkeep(now: number): Promise<{ nextKeys: number; certificates: number }> {
    let nextKeys = 0;
    const lacking = await this.db.all<{ id: string; alg: AsymmetricTokenAlg }>(
      `SELECT id, 'RS256' AS alg FROM tenants t WHERE NOT EXISTS (SELECT 1 FROM signing_keys k WHERE k.tenant_id = t.id AND k.alg = 'RS256' AND k.status = 'next')
       UNION
       SELECT DISTINCT c.tenant_id AS id, c.alg FROM signing_keys c WHERE c.status = 'current'
         AND NOT EXISTS (SELECT 1 FROM signing_keys k WHERE k.tenant_id = c.tenant_id AND k.alg = c.alg AND k.status = 'next')`,
    );
    for (const { id, alg } of lacking) if (await this.ensureNext(id, now, alg)) nextKeys++;
    let certificates = 0;
    for (const r of await this.db.all<Row>(`SELECT * FROM signing_keys WHERE cert_der IS NULL`)) {
      if (await this.certify(r, now)) certificates++;
    }
    return { nextKeys, certificates };
  }

  /** Makes the tenant's next key of `alg` if it has none; false when it had one (or another process made it first). */
  private async ensureNext(tenantId: string, now: number, alg: AsymmetricTokenAlg): Promise<boolean> {
    return this.makeOnce(
      tenantId,
      alg,
      'next',
      async () => this.material(await this.commonName(tenantId), now, alg),
      (tx, fresh) => this.insert(tx, tenantId, fresh, 'next', now),
      now,
    );
  }

  /**
   * Inserts what `make` generates unless the tenant already has a key of `alg` with `status`;
   * true when this call inserted. The keys are generated outside the transaction (RSA key
   * generation takes tens of milliseconds); inside it the tenant lock serialises concurrent
   * callers, and the check is made again, so only the first one's keys are inserted.
   */
  private async makeOnce<T>(
    tenantId: string,
    alg: AsymmetricTokenAlg,
    status: 'current' | 'next',
    make: () => Promise<T>,
    insert: (tx: Queryable, made: T) => Promise<void>,
    now: number,
  ): Promise<boolean> {
    const has = (q: Queryable) => q.get(`SELECT 1 AS x FROM signing_keys WHERE tenant_id = ? AND alg = ? AND status = ?`, [tenantId, alg, status]);
    if (await has(this.db)) return false;
    const made = await make();
    return this.db.transaction(async (tx) => {
      await lockTenant(tx, tenantId, now);
      if (await has(tx)) return false;
      await insert(tx, made);
      return true;
    });
  }

  private async info(r: Row): Promise<SigningKeyInfo> {
    if (r.cert_der === null) {
      await this.certify(r, Number(r.created_at));
      r = (await this.db.get<Row>(`SELECT * FROM signing_keys WHERE kid = ?`, [r.kid]))!;
    }
    return {
      kid: r.kid,
      alg: r.alg,
      status: r.status,
      certDer: Buffer.from(r.cert_der!, 'base64'),
      createdAt: Number(r.created_at),
      currentSince: num(r.current_since),
      currentUntil: num(r.current_until),
      revokedAt: num(r.revoked_at),
    };
  }

  /** Gives a key made before certificates existed its certificate; false when another process did first. */
  private async certify(r: Row, now: number): Promise<boolean> {
    const der = selfSignedCertificate({
      privateKey: this.open(r),
      commonName: (await this.commonName(r.tenant_id)).replace(/:\d+$/, ''),
      notBefore: Math.min(Number(r.created_at), now),
      notAfter: now + CERT_LIFETIME_MS,
    });
    const res = await this.db.run(`UPDATE signing_keys SET cert_der = ? WHERE kid = ? AND cert_der IS NULL`, [der.toString('base64'), r.kid]);
    return res.changes === 1;
  }

  /** The certificate's subject: the tenant's primary domain, as Auth0 names its certificates after the tenant domain. */
  private async commonName(tenantId: string, q: Queryable = this.db): Promise<string> {
    const d = await q.get<{ host: string }>(`SELECT host FROM domains WHERE tenant_id = ? AND is_primary = 1`, [tenantId]);
    return d?.host ?? tenantId;
  }

  /** A new key pair for `alg` (made on the thread pool, off the event loop), sealed, with its certificate named after `host` (without a port). */
  private async material(host: string, now: number, alg: AsymmetricTokenAlg): Promise<KeyMaterial> {
    const commonName = host.replace(/:\d+$/, '');
    const { privateKey } = await generateFor(alg);
    // The public members only (kty with n/e, crv/x/y or crv/x): the export of a public key has no private ones.
    const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
    const kid = jwkThumbprint(jwk);
    const publicJwk: PublicSigningJwk = { kty: jwk.kty, ...jwk, kid, alg, use: 'sig' };
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    // Valid from a minute early, for consumers whose clocks run a little behind and check validity.
    const certDer = selfSignedCertificate({ privateKey, commonName, notBefore: now - 60_000, notAfter: now + CERT_LIFETIME_MS });
    return { kid, alg, publicJwk, sealed: this.box.seal(pem, `signing_key:${kid}`), certDer };
  }

  private async insert(q: Queryable, tenantId: string, m: KeyMaterial, status: 'current' | 'next', now: number): Promise<void> {
    await q.run(
      `INSERT INTO signing_keys (kid, tenant_id, alg, public_jwk, private_key_enc, status, created_at, cert_der, current_since) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [m.kid, tenantId, m.alg, JSON.stringify(m.publicJwk), m.sealed, status, now, m.certDer.toString('base64'), status === 'current' ? now : null],
    );
  }

  private open(r: Pick<Row, 'kid' | 'private_key_enc'>): KeyObject {
    return createPrivateKey(this.box.open(r.private_key_enc, `signing_key:${r.kid}`));
  }
}

/** Bumps the tenant's version: takes its row lock for the rest of the transaction and invalidates every process's cached keys. */
async function lockTenant(q: Queryable, tenantId: string, now: number): Promise<void> {
  await q.run(`UPDATE tenants SET version = version + 1, updated_at = ? WHERE id = ?`, [now, tenantId]);
}
