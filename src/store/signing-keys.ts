import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { Db, Queryable } from './sql/db.ts';
import type { SecretBox } from '../domain/secret-box.ts';
import { jwkThumbprint } from '../domain/credentials/index.ts';

export interface SigningKey {
  kid: string;
  alg: 'RS256';
  publicJwk: JsonWebKey & { kid: string; alg: string; use: string };
  privateKey: KeyObject;
}

/** Each tenant's access-token signing keys; the private half is sealed with the master key. */
export class SigningKeyStore {
  constructor(private readonly db: Db, private readonly box: SecretBox) {}

  async generate(tenantId: string, q: Queryable = this.db): Promise<SigningKey> {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
    const kid = jwkThumbprint(jwk);
    const publicJwk = { kty: 'RSA', n: jwk.n, e: jwk.e, kid, alg: 'RS256', use: 'sig' } as SigningKey['publicJwk'];
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    await q.run(
      `INSERT INTO signing_keys (kid, tenant_id, alg, public_jwk, private_key_enc, status, created_at) VALUES (?, ?, 'RS256', ?, ?, 'current', ?)`,
      [kid, tenantId, JSON.stringify(publicJwk), this.box.seal(pem, `signing_key:${kid}`), Date.now()],
    );
    return { kid, alg: 'RS256', publicJwk, privateKey };
  }

  /** The key new tokens are signed with (the newest `current` one). */
  async current(tenantId: string): Promise<SigningKey | undefined> {
    const r = await this.db.get<{ kid: string; public_jwk: string; private_key_enc: string }>(
      `SELECT kid, public_jwk, private_key_enc FROM signing_keys WHERE tenant_id = ? AND status = 'current' ORDER BY created_at DESC LIMIT 1`,
      [tenantId],
    );
    if (!r) return undefined;
    const pem = this.box.open(r.private_key_enc, `signing_key:${r.kid}`);
    return { kid: r.kid, alg: 'RS256', publicJwk: JSON.parse(r.public_jwk), privateKey: createPrivateKey(pem) };
  }

  /** Public keys for the JWKS: every key that may still have live tokens. */
  async publicJwks(tenantId: string): Promise<SigningKey['publicJwk'][]> {
    const rows = await this.db.all<{ public_jwk: string }>(
      `SELECT public_jwk FROM signing_keys WHERE tenant_id = ? AND status IN ('current', 'previous') ORDER BY created_at DESC`,
      [tenantId],
    );
    return rows.map((r) => JSON.parse(r.public_jwk));
  }
}
