/**
 * verifyJwsSignature: check one JWS signature (RFC 7515/7518/8037) with an already-parsed key.
 *
 * Contract: returns true only when `signature` is a valid `alg` signature of `signingInput`
 * under `key`; returns false for everything else and never throws: unsupported or symmetric
 * alg (HS* is never computed, so a public key can never act as an HMAC secret), a key of the
 * wrong type or curve for the alg, a signature of the wrong length, or any error from
 * node:crypto.
 *
 * - RS256/384/512: RSASSA-PKCS1-v1_5 with SHA-2.
 * - PS256/384/512: RSASSA-PSS, MGF1 with the same hash, salt length = hash length (RFC 7518 §3.5).
 * - ES256/ES384: ECDSA on P-256/P-384, signature is R||S (IEEE P1363), 64/96 bytes exactly.
 * - EdDSA: Ed25519 (64-byte signature) or Ed448 (114-byte signature).
 *
 * Hot path: the alg table is built once, no key parsing, at most one small options object.
 */
import { constants, verify, type KeyObject } from 'node:crypto';

/** Every `alg` a client assertion may use, in preference-neutral order. */
export const ASSERTION_SIGNING_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'] as const;
export type AssertionSigningAlg = (typeof ASSERTION_SIGNING_ALGS)[number];

type AlgSpec =
  | { family: 'rs'; digest: string }
  | { family: 'ps'; digest: string; saltLength: number }
  | { family: 'es'; digest: string; curve: string; signatureBytes: number }
  | { family: 'eddsa' };

/** A Map, not an object literal: an attacker-chosen alg like "constructor" must find nothing. */
const SPECS: ReadonlyMap<string, AlgSpec> = new Map<string, AlgSpec>([
  ['RS256', { family: 'rs', digest: 'sha256' }],
  ['RS384', { family: 'rs', digest: 'sha384' }],
  ['RS512', { family: 'rs', digest: 'sha512' }],
  ['PS256', { family: 'ps', digest: 'sha256', saltLength: 32 }],
  ['PS384', { family: 'ps', digest: 'sha384', saltLength: 48 }],
  ['PS512', { family: 'ps', digest: 'sha512', saltLength: 64 }],
  ['ES256', { family: 'es', digest: 'sha256', curve: 'prime256v1', signatureBytes: 64 }],
  ['ES384', { family: 'es', digest: 'sha384', curve: 'secp384r1', signatureBytes: 96 }],
  ['EdDSA', { family: 'eddsa' }],
]);

export function isAssertionSigningAlg(alg: string): alg is AssertionSigningAlg {
  return SPECS.has(alg);
}

const PSS_PADDING = constants.RSA_PKCS1_PSS_PADDING;

export function verifyJwsSignature(alg: string, key: KeyObject, signingInput: Uint8Array, signature: Uint8Array): boolean {
  const spec = SPECS.get(alg);
  if (spec === undefined) return false;
  try {
    const keyType = key.asymmetricKeyType;
    switch (spec.family) {
      case 'rs':
        if (keyType !== 'rsa' || !rsaLengthMatches(key, signature)) return false;
        return verify(spec.digest, signingInput, key, signature);
      case 'ps':
        if ((keyType !== 'rsa' && keyType !== 'rsa-pss') || !rsaLengthMatches(key, signature)) return false;
        return verify(spec.digest, signingInput, { key, padding: PSS_PADDING, saltLength: spec.saltLength }, signature);
      case 'es':
        if (keyType !== 'ec' || signature.length !== spec.signatureBytes || key.asymmetricKeyDetails?.namedCurve !== spec.curve) return false;
        return verify(spec.digest, signingInput, { key, dsaEncoding: 'ieee-p1363' }, signature);
      case 'eddsa':
        if (keyType === 'ed25519' ? signature.length !== 64 : keyType === 'ed448' ? signature.length !== 114 : true) return false;
        return verify(null, signingInput, key, signature);
    }
  } catch {
    return false;
  }
}

/** An RSA signature is exactly as long as the modulus (RFC 8017 §8.2.2 step 1). */
function rsaLengthMatches(key: KeyObject, signature: Uint8Array): boolean {
  const bits = key.asymmetricKeyDetails?.modulusLength;
  return bits !== undefined && signature.length === (bits + 7) >> 3;
}
