/**
 * The JWS algorithms a credential may be registered with, and which key each one needs.
 *
 * Contract: `CREDENTIAL_ALGS` is the closed list (Auth0's RS256/RS384/PS256 plus the rest of the
 * RSA family, ES256, ES384 and EdDSA); `keyRequirement(alg)` says which key type (and curve) an
 * alg signs with. Symmetric algs (HS*) and `none` are absent on purpose: a credential holds a
 * public key, and accepting HS* against it is the classic algorithm-confusion attack.
 */
import { ASSERTION_SIGNING_ALGS, type AssertionSigningAlg } from '../client-assertion/index.ts';

// A credential can be registered with exactly the algorithms the assertion verifier implements.
export type CredentialAlg = AssertionSigningAlg;
export const CREDENTIAL_ALGS: readonly CredentialAlg[] = ASSERTION_SIGNING_ALGS;

/** Auth0's default, so clients that send no alg keep working. */
export const DEFAULT_CREDENTIAL_ALG: CredentialAlg = 'RS256';

export function isCredentialAlg(value: unknown): value is CredentialAlg {
  return typeof value === 'string' && (CREDENTIAL_ALGS as readonly string[]).includes(value);
}

export type KeyRequirement =
  | { keyType: 'RSA'; curve?: undefined }
  | { keyType: 'EC'; curve: 'P-256' | 'P-384' }
  | { keyType: 'OKP'; curve: 'Ed25519' };

export function keyRequirement(alg: CredentialAlg): KeyRequirement {
  switch (alg) {
    case 'ES256':
      return { keyType: 'EC', curve: 'P-256' };
    case 'ES384':
      return { keyType: 'EC', curve: 'P-384' };
    case 'EdDSA':
      // Ed448 is also EdDSA in JOSE, but Signet accepts only Ed25519 keys.
      return { keyType: 'OKP', curve: 'Ed25519' };
    default:
      return { keyType: 'RSA' };
  }
}
