import { createHash, createPublicKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import { bitString, boolean, explicit, implicitConstructed, nullValue, octetString, oid, sequence, set, smallInteger, time, unsignedInteger, utf8String } from './der.ts';

const SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const ED25519 = '1.3.101.112';
const COMMON_NAME = '2.5.4.3';
const BASIC_CONSTRAINTS = '2.5.29.19';
const PKCS7_SIGNED_DATA = '1.2.840.113549.1.7.2';
const PKCS7_DATA = '1.2.840.113549.1.7.1';

export interface CertificateInput {
  /**
   * The key the certificate carries the public half of and is signed with: RSA
   * (sha256WithRSAEncryption), EC P-256 (ecdsa-with-SHA256) or Ed25519.
   */
  privateKey: KeyObject;
  /** Subject and issuer common name (the certificate is self-issued). */
  commonName: string;
  notBefore: number;
  notAfter: number;
}

/**
 * A self-signed X.509 v3 certificate (RFC 5280) for a token-signing key, DER-encoded. Relying
 * parties that read `x5c` from a JWKS, or the `cert` of Auth0's signing-key API, expect one;
 * it asserts nothing beyond "this public key", so it is not a CA (basicConstraints cA=false)
 * and has no other extensions.
 */
export function selfSignedCertificate(input: CertificateInput): Buffer {
  const scheme = signatureScheme(input.privateKey);
  if (!(input.notAfter > input.notBefore)) throw new RangeError('notAfter must be later than notBefore');
  const algorithm = scheme.algorithm;
  const name = sequence(set(sequence(oid(COMMON_NAME), utf8String(input.commonName))));
  // A positive serial of 15 random bytes (RFC 5280: at most 20 octets, unique per issuer).
  const serial = randomBytes(15);
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  const spki = createPublicKey(input.privateKey).export({ type: 'spki', format: 'der' });
  const extensions = explicit(3, sequence(sequence(oid(BASIC_CONSTRAINTS), boolean(true), octetString(sequence()))));
  const tbs = sequence(
    explicit(0, smallInteger(2)), // v3
    unsignedInteger(serial),
    algorithm,
    name,
    sequence(time(input.notBefore), time(input.notAfter)),
    name,
    spki,
    extensions,
  );
  return sequence(tbs, algorithm, bitString(sign(scheme.digest, tbs, input.privateKey)));
}

/**
 * The certificate signature algorithm for a key: its AlgorithmIdentifier and the digest to sign
 * with. RSA's carries NULL parameters (RFC 4055 §5); ECDSA's (RFC 5758 §3.2) and Ed25519's
 * (RFC 8410 §3) carry none. The ECDSA signature is the DER Ecdsa-Sig-Value X.509 expects,
 * which is crypto.sign's default encoding.
 */
function signatureScheme(key: KeyObject): { algorithm: Buffer; digest: string | null } {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return { algorithm: sequence(oid(SHA256_WITH_RSA), nullValue()), digest: 'sha256' };
    case 'ec':
      if (key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') break;
      return { algorithm: sequence(oid(ECDSA_WITH_SHA256)), digest: 'sha256' };
    case 'ed25519':
      return { algorithm: sequence(oid(ED25519)), digest: null };
  }
  throw new TypeError('selfSignedCertificate signs with an RSA, EC P-256 or Ed25519 key');
}

/** A degenerate PKCS#7 SignedData (RFC 2315 §9.1 / RFC 5652) carrying one certificate and no signatures: the "certs-only" bundle. */
export function pkcs7CertificateBundle(certDer: Buffer): Buffer {
  const signedData = sequence(
    smallInteger(1),
    set(), // digestAlgorithms
    sequence(oid(PKCS7_DATA)), // contentInfo without content
    implicitConstructed(0, certDer), // certificates
    set(), // signerInfos
  );
  return sequence(oid(PKCS7_SIGNED_DATA), explicit(0, signedData));
}

/** SHA-1 digest of the DER certificate: JWK `x5t` (base64url, RFC 7517 §4.8) and Auth0's thumbprint/fingerprint (hex). */
export function certificateSha1(der: Buffer): Buffer {
  return createHash('sha1').update(der).digest();
}
