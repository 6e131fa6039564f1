/**
 * Reads the PEM a customer uploads as a credential: one SPKI public key
 * (`-----BEGIN PUBLIC KEY-----`), one PKCS#1 RSA public key (`-----BEGIN RSA PUBLIC KEY-----`) or
 * one X.509 certificate (`-----BEGIN CERTIFICATE-----`).
 *
 * Contract: returns a `ParsedPem` or throws `InvalidInputError` (field `pem`) with code
 * - `private_key_refused` for anything that is or contains a private key, decided before any
 *   key parser sees the input;
 * - `invalid_pem` for everything that is not exactly one well-formed block of an accepted type;
 * - `unsupported_key_type` for keys other than RSA, EC P-256/P-384/P-521 and Ed25519.
 * No error message, cause or property contains any part of the input, so errors are safe to log
 * and return. Tolerated: LF or CRLF, surrounding whitespace, a BOM, and literal `\n` sequences
 * instead of newlines (a very common paste mistake). Key size and algorithm fit are not judged
 * here (see check-new-credential.ts): this function only says what the PEM is.
 */
import { createPublicKey, X509Certificate, type JsonWebKey, type KeyObject } from 'node:crypto';
import { InvalidInputError } from '../errors.ts';
import { certificateDetails, type CertificateDetails } from './certificate-details.ts';
import { isSingleDerSequence } from './der.ts';
import { describePublicKey, type CredentialCurve, type CredentialKeyType } from './describe-public-key.ts';
import { jwkThumbprint } from './jwk-thumbprint.ts';
import { invalidPem, normalizePastedPem, readSinglePemBlock, type PemBlock } from './pem-armor.ts';
import { looksLikePrivateKeyDer, privateKeyRefused, refusePrivateKeyBase64, refusePrivateKeyText } from './refuse-private-key.ts';

export interface ParsedPem {
  source: 'spki' | 'pkcs1' | 'x509';
  /** The public KeyObject. */
  publicKey: KeyObject;
  keyType: CredentialKeyType;
  /** RSA modulus length in bits. */
  keyBits?: number;
  curve?: CredentialCurve;
  /** Public JWK members only. */
  jwk: JsonWebKey;
  /** RFC 7638 SHA-256 thumbprint of `jwk`. */
  thumbprint: string;
  /** Normalized SPKI PEM of the public key ("-----BEGIN PUBLIC KEY-----\n…\n-----END PUBLIC KEY-----\n"). */
  spkiPem: string;
  certificate?: CertificateDetails;
}

/**
 * A 4096-bit RSA certificate with a generous set of extensions is ~2.5 KB of PEM; this leaves
 * plenty of room while bounding the work done on hostile input.
 */
export const MAX_PEM_LENGTH = 16_384;

export function parseCredentialPem(pem: string): ParsedPem {
  if (typeof pem !== 'string') throw invalidPem('The PEM must be a string.');
  const text = normalizePastedPem(pem);
  if (text === '') throw invalidPem('The PEM is empty.');

  // Private keys first, before the structure is even looked at, so a private key is never
  // described as "two blocks" or "text before the block" and never reaches a key parser.
  refusePrivateKeyText(text);
  if (text.length > MAX_PEM_LENGTH) {
    throw invalidPem(`The PEM is too long: ${text.length} characters, at most ${MAX_PEM_LENGTH} are accepted.`);
  }
  refusePrivateKeyBase64(text);

  const block = readSinglePemBlock(text);
  // A private key body under a public label (e.g. PKCS#8 wrapped in BEGIN PUBLIC KEY).
  if (looksLikePrivateKeyDer(block.der)) throw privateKeyRefused();
  if (!isSingleDerSequence(block.der)) {
    throw invalidPem('The body of the PEM block is not a valid DER structure; the PEM may be truncated or corrupted.');
  }

  const { source, publicKey, cert } = decodeBlock(block);
  const key = describePublicKey(publicKey);
  return {
    source,
    publicKey,
    keyType: key.keyType,
    ...(key.keyBits !== undefined && { keyBits: key.keyBits }),
    ...(key.curve !== undefined && { curve: key.curve }),
    jwk: key.jwk,
    thumbprint: jwkThumbprint(key.jwk),
    spkiPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
    ...(cert && { certificate: certificateDetails(cert) }),
  };
}

interface DecodedBlock {
  source: ParsedPem['source'];
  publicKey: KeyObject;
  cert?: X509Certificate;
}

/**
 * Hands the DER to Node with the exact type the label promises (never PEM auto-detection, which
 * would accept private keys), and replaces Node's error with one of ours: no `cause`, so
 * nothing about the input travels with the error.
 */
function decodeBlock(block: PemBlock): DecodedBlock {
  switch (block.label) {
    case 'PUBLIC KEY':
      try {
        return { source: 'spki', publicKey: createPublicKey({ key: block.der, format: 'der', type: 'spki' }) };
      } catch {
        throw invalidPem('The PUBLIC KEY block is not a valid SubjectPublicKeyInfo (SPKI) public key, or its key type is unknown.');
      }
    case 'RSA PUBLIC KEY':
      try {
        return { source: 'pkcs1', publicKey: createPublicKey({ key: block.der, format: 'der', type: 'pkcs1' }) };
      } catch {
        throw invalidPem('The RSA PUBLIC KEY block is not a valid PKCS#1 RSA public key.');
      }
    case 'CERTIFICATE': {
      let cert: X509Certificate;
      try {
        cert = new X509Certificate(block.der);
      } catch {
        throw invalidPem('The CERTIFICATE block is not a valid X.509 certificate.');
      }
      let publicKey: KeyObject;
      try {
        publicKey = cert.publicKey;
      } catch {
        throw new InvalidInputError(
          'unsupported_key_type',
          "The certificate's public key type is not supported. Supported keys: RSA (2048 to 4096 bits), EC P-256, EC P-384 and Ed25519.",
          'pem',
        );
      }
      return { source: 'x509', publicKey, cert };
    }
  }
}
