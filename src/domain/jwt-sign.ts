import { constants, createHmac, sign, verify, type KeyObject, type SignKeyObjectInput, type VerifyKeyObjectInput } from 'node:crypto';

/** The algorithms a tenant has key pairs for: one key family (next/current/previous) each. */
export const ASYMMETRIC_TOKEN_ALGS = ['RS256', 'RS512', 'PS256', 'ES256', 'EdDSA'] as const;
export type AsymmetricTokenAlg = (typeof ASYMMETRIC_TOKEN_ALGS)[number];
export const isAsymmetricTokenAlg = (alg: unknown): alg is AsymmetricTokenAlg => (ASYMMETRIC_TOKEN_ALGS as readonly unknown[]).includes(alg);

/** A tenant key pair's private half, named by its kid in the JWKS. */
export interface TenantSigningKey {
  kid: string;
  alg: AsymmetricTokenAlg;
  privateKey: KeyObject;
}

/** An API's HS256 secret (Auth0's `signing_secret`): shared with the API, never published, so its tokens carry no kid. */
export interface HmacSigningKey {
  alg: 'HS256';
  secret: Buffer;
}

export type JwtSigningKey = TenantSigningKey | HmacSigningKey;

/** A public key that verifies tokens of exactly one algorithm: the one of the family it belongs to. */
export interface VerificationKey {
  alg: AsymmetricTokenAlg;
  key: KeyObject;
}

/**
 * How each algorithm calls crypto.sign/verify (RFC 7518 §3): the digest, and the key options
 * beyond the key itself. PS256 uses a salt as long as its digest (RFC 7518 §3.5); ES256 wants the
 * JOSE signature, r||s of 32 bytes each (IEEE P1363), not OpenSSL's DER; Ed25519 hashes itself
 * (RFC 8037), so no digest is named.
 */
const SCHEMES: Record<AsymmetricTokenAlg, { digest: string | null; options: Omit<SignKeyObjectInput, 'key'> }> = {
  RS256: { digest: 'sha256', options: {} },
  RS512: { digest: 'sha512', options: {} },
  PS256: { digest: 'sha256', options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } },
  ES256: { digest: 'sha256', options: { dsaEncoding: 'ieee-p1363' } },
  EdDSA: { digest: null, options: {} },
};

/** What signing with one key needs, made once per key: the encoded header and the key with its options. */
interface PreparedKey {
  header: string;
  input: SignKeyObjectInput | null;
}

const prepared = new WeakMap<JwtSigningKey, PreparedKey>();
function prepare(key: JwtSigningKey): PreparedKey {
  let p = prepared.get(key);
  if (!p) {
    // Auth0's HS256 tokens have no kid: the API knows its one secret.
    const header = key.alg === 'HS256' ? { alg: 'HS256', typ: 'JWT' } : { alg: key.alg, typ: 'JWT', kid: key.kid };
    p = {
      header: Buffer.from(JSON.stringify(header)).toString('base64url'),
      input: key.alg === 'HS256' ? null : { key: key.privateKey, ...SCHEMES[key.alg].options },
    };
    prepared.set(key, p);
  }
  return p;
}

/**
 * Where a signature is computed. An RSA signature (~0.3 ms) is most of a token request's CPU:
 * on libuv's thread pool (the callback form of crypto.sign) one process uses every core. An
 * ES256 or Ed25519 signature costs ~35 µs, and handing it to the pool and back costs ~7 µs more
 * CPU plus two thread wake-ups: cheaper here, on the request's own thread. So is an HMAC.
 */
const ON_THREAD_POOL: Record<AsymmetricTokenAlg, boolean> = { RS256: true, RS512: true, PS256: true, ES256: false, EdDSA: false };

/** Signs a JWT. Hand-rolled instead of a JOSE library: the header is a per-key constant, and this runs on every token request. */
export async function signJwt(payload: Record<string, unknown>, key: JwtSigningKey): Promise<string> {
  const p = prepare(key);
  const signingInput = `${p.header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  if (key.alg === 'HS256') return `${signingInput}.${createHmac('sha256', key.secret).update(signingInput).digest('base64url')}`;
  const digest = SCHEMES[key.alg].digest;
  const signature = ON_THREAD_POOL[key.alg]
    ? await new Promise<Buffer>((resolve, reject) => sign(digest, Buffer.from(signingInput), p.input!, (err, sig) => (err ? reject(err) : resolve(sig))))
    : sign(digest, Buffer.from(signingInput), p.input!);
  return `${signingInput}.${signature.toString('base64url')}`;
}

/** Whether `signature` over `signingInput` verifies under `key` with the key's own algorithm (never HS256 nor `none`: tenant keys are asymmetric). */
export function verifyJwtSignature(signingInput: string, signature: Buffer, key: VerificationKey): boolean {
  const scheme = Object.hasOwn(SCHEMES, key.alg) ? SCHEMES[key.alg] : undefined;
  if (!scheme) return false;
  return verify(scheme.digest, Buffer.from(signingInput), { key: key.key, ...scheme.options } as VerifyKeyObjectInput, signature);
}
