/**
 * RFC 7638 JWK thumbprint with SHA-256, base64url without padding.
 *
 * Contract: hashes the UTF-8 JSON of the key type's *required* members only, in lexicographic
 * order, with no whitespace — RSA `{"e","kty","n"}`, EC `{"crv","kty","x","y"}`, OKP
 * `{"crv","kty","x"}` — so the same public key always yields the same value whatever else the
 * JWK carries (kid, use, alg, private members). Throws `InvalidInputError` with code
 * `unsupported_key_type` for any other `kty` and `invalid_jwk` when a required member is missing.
 *
 * Signet uses it as the default `kid` (as Auth0 does, so kids computed by customers' tooling
 * match) and as the identity of a public key when detecting duplicate uploads.
 */
import { createHash } from 'node:crypto';
import { InvalidInputError } from '../errors.ts';

const REQUIRED_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  RSA: ['e', 'kty', 'n'],
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
};

/**
 * Any JWK: node:crypto's `JsonWebKey` (what `KeyObject#export({ format: 'jwk' })` returns), the
 * DOM/WebCrypto global `JsonWebKey` (an interface without an index signature, so it is not
 * assignable to node's type), or a plain object literal with extra members such as kid and alg.
 */
export type JwkThumbprintInput =
  | { readonly [member: string]: unknown }
  | {
      readonly kty?: string;
      readonly crv?: string;
      readonly e?: string;
      readonly n?: string;
      readonly x?: string;
      readonly y?: string;
    };

export function jwkThumbprint(jwk: JwkThumbprintInput): string {
  const fields = jwk as { readonly [member: string]: unknown };
  const kty = fields.kty;
  const members = typeof kty === 'string' && Object.hasOwn(REQUIRED_MEMBERS, kty) ? REQUIRED_MEMBERS[kty] : undefined;
  if (!members) {
    throw new InvalidInputError('unsupported_key_type', 'JWK thumbprints are computed for kty RSA, EC and OKP only.', 'jwk');
  }
  // Inserting in the listed (already sorted) order makes JSON.stringify emit that order; none of
  // the names is an integer-like key, which JS would move to the front.
  const canonical: Record<string, string> = {};
  for (const name of members) {
    const value = fields[name];
    if (typeof value !== 'string' || value === '') {
      throw new InvalidInputError('invalid_jwk', `The JWK has no "${name}" member, which kty ${String(kty)} requires.`, 'jwk');
    }
    canonical[name] = value;
  }
  return createHash('sha256').update(JSON.stringify(canonical), 'utf8').digest('base64url');
}
