/**
 * Fast path for the token endpoint's key cache: turn a stored credential PEM back into a public
 * KeyObject.
 *
 * Contract: accepts only what `checkNewCredential` stores — a normalized SPKI
 * (`-----BEGIN PUBLIC KEY-----`) or certificate (`-----BEGIN CERTIFICATE-----`) PEM — and
 * returns its public KeyObject. None of the upload checks are repeated (they ran when the
 * credential was created); anything else throws a plain Error, because a stored value that does
 * not import is corrupt data (a 500), not a caller's mistake. The label check also guarantees
 * that a private PEM could never be turned into a verification key here.
 *
 * Why not just `createPublicKey(pem)`: OpenSSL 3 sets up a decoder context for every SPKI
 * import, ~115 µs of the main thread for an RSA-2048 key on the benchmark machine, and a cold
 * client view imports each of its keys (at 100,000 clients that was the largest cost of a
 * view). The same key built from its parameters costs ~4 µs (RSA, from the PKCS#1 DER inside
 * the SPKI), ~5 µs (Ed25519) or ~55 µs (P-256, from a JWK; a P-384 JWK costs more than the
 * PEM, ~400 µs, so P-384 stays with OpenSSL's parser). So an SPKI whose outline is exactly
 * one of those shapes is imported from its parameters; anything else — another algorithm, a
 * certificate, a shape with a byte out of place — goes to OpenSSL's own parser, which decides.
 * Either way OpenSSL checks the key (the RSA structure, the EC point on its curve).
 */
import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { DER_SEQUENCE, readDerElement } from './der.ts';

const SPKI_PREFIX = '-----BEGIN PUBLIC KEY-----';
const SPKI_SUFFIX = '-----END PUBLIC KEY-----';
const CERTIFICATE_PREFIX = '-----BEGIN CERTIFICATE-----';
const DER_BIT_STRING = 0x03;

export function importStoredKey(pem: string): KeyObject {
  try {
    if (pem.startsWith(CERTIFICATE_PREFIX)) return new X509Certificate(pem).publicKey;
    if (pem.startsWith(SPKI_PREFIX)) return importSpkiFromParameters(pem) ?? createPublicKey({ key: pem, format: 'pem', type: 'spki' });
  } catch (error) {
    // Node's decoder errors name the failing routine, never the key material.
    throw new Error('Stored credential PEM could not be imported.', { cause: error });
  }
  throw new Error('Stored credential PEM is neither a PUBLIC KEY nor a CERTIFICATE block.');
}

/** AlgorithmIdentifier contents (OID and parameters) of the key types imported from parameters. */
const RSA_ENCRYPTION = Buffer.from('06092a864886f70d0101010500', 'hex'); // rsaEncryption, NULL
const EC_P256 = Buffer.from('06072a8648ce3d020106082a8648ce3d030107', 'hex'); // id-ecPublicKey, prime256v1
const ED25519 = Buffer.from('06032b6570', 'hex'); // id-Ed25519, no parameters

/**
 * The key of an SPKI PEM (SEQUENCE { AlgorithmIdentifier, BIT STRING }) built from its
 * parameters, or undefined when the SPKI is not exactly one of the shapes above (the caller
 * then uses OpenSSL's parser). Exact means: one element filling the whole DER, two children
 * filling it, a bit string with no unused bits, and contents of exactly the expected size.
 */
export function importSpkiFromParameters(pem: string): KeyObject | undefined {
  const end = pem.indexOf(SPKI_SUFFIX, SPKI_PREFIX.length);
  if (end === -1) return undefined;
  const der = Buffer.from(pem.slice(SPKI_PREFIX.length, end), 'base64');
  const outer = readDerElement(der, 0);
  if (!outer || outer.tag !== DER_SEQUENCE || outer.end !== der.length) return undefined;
  const algorithm = readDerElement(der, outer.valueStart);
  if (!algorithm || algorithm.tag !== DER_SEQUENCE) return undefined;
  const bits = readDerElement(der, algorithm.end);
  if (!bits || bits.tag !== DER_BIT_STRING || bits.end !== outer.end || bits.end - bits.valueStart < 2 || der[bits.valueStart] !== 0) return undefined;
  const id = der.subarray(algorithm.valueStart, algorithm.end);
  const key = der.subarray(bits.valueStart + 1, bits.end);
  if (id.equals(RSA_ENCRYPTION)) {
    // RSAPublicKey ::= SEQUENCE { modulus, publicExponent }, alone in the bit string.
    const inner = readDerElement(key, 0);
    if (!inner || inner.tag !== DER_SEQUENCE || inner.end !== key.length) return undefined;
    return createPublicKey({ key, format: 'der', type: 'pkcs1' });
  }
  if (id.equals(EC_P256)) return ecKey('P-256', key, 32);
  if (id.equals(ED25519)) return key.length === 32 ? createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: key.toString('base64url') }, format: 'jwk' }) : undefined;
  return undefined;
}

/** An uncompressed EC point (0x04 ‖ x ‖ y) as a key; a compressed or odd-sized one is left to OpenSSL. */
function ecKey(crv: 'P-256', point: Buffer, size: number): KeyObject | undefined {
  if (point.length !== 1 + 2 * size || point[0] !== 0x04) return undefined;
  const x = point.subarray(1, 1 + size).toString('base64url');
  const y = point.subarray(1 + size).toString('base64url');
  return createPublicKey({ key: { kty: 'EC', crv, x, y }, format: 'jwk' });
}
