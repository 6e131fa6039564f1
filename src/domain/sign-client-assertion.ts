import { constants, randomUUID, sign, type KeyObject } from 'node:crypto';

export type AssertionAlg = 'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'EdDSA';

const HASH: Record<AssertionAlg, string | null> = {
  RS256: 'sha256', RS384: 'sha384', RS512: 'sha512',
  PS256: 'sha256', PS384: 'sha384', PS512: 'sha512',
  ES256: 'sha256', ES384: 'sha384', EdDSA: null,
};

/**
 * Signs a client assertion (RFC 7523 §2.2) the way Signet verifies it: iss = sub = client_id,
 * aud = the tenant issuer as a single string, a fresh jti, and a short lifetime (60 s by
 * default, as Auth0 recommends). Used by `signet assertion`, `signet token` and the benchmarks.
 */
export function signClientAssertion(input: {
  clientId: string;
  audience: string;
  privateKey: KeyObject;
  alg?: AssertionAlg;
  kid?: string;
  lifetimeSeconds?: number;
  now?: number;
}): string {
  const alg = input.alg ?? 'RS256';
  if (!(alg in HASH)) throw new Error(`Unsupported algorithm ${alg}`);
  const iat = Math.floor((input.now ?? Date.now()) / 1000);
  const header = { alg, typ: 'JWT', ...(input.kid && { kid: input.kid }) };
  const payload = { iss: input.clientId, sub: input.clientId, aud: input.audience, iat, exp: iat + (input.lifetimeSeconds ?? 60), jti: randomUUID() };
  const signingInput = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(payload))}`;
  const key =
    alg.startsWith('PS') ? { key: input.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
    : alg.startsWith('ES') ? { key: input.privateKey, dsaEncoding: 'ieee-p1363' as const }
    : input.privateKey;
  const sig = sign(HASH[alg], Buffer.from(signingInput), key);
  return `${signingInput}.${sig.toString('base64url')}`;
}

const b64 = (s: string) => Buffer.from(s).toString('base64url');
