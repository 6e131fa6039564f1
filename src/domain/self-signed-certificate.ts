import { createHash, createPublicKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import { bitString, boolean, explicit, implicitConstructed, nullValue, octetString, oid, sequence, set, smallInteger, time, unsignedInteger, utf8String } from './der.ts';

const SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
const COMMON_NAME = '2.5.4.3';
const BASIC_CONSTRAINTS = '2.5.29.19';
const PKCS7_SIGNED_DATA = '1.2.840.113549.1.7.2';
const PKCS7_DATA = '1.2.840.113549.1.7.1';

export interface CertificateInput {
  /** An RSA private key: the certificate is signed with it (sha256WithRSAEncryption) and carries its public half. */
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
  if (input.privateKey.asymmetricKeyType !== 'rsa') throw new TypeError('selfSignedCertificate signs with an RSA key');
  if (!(input.notAfter > input.notBefore)) throw new RangeError('notAfter must be later than notBefore');
  const algorithm = sequence(oid(SHA256_WITH_RSA), nullValue());
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
  return sequence(tbs, algorithm, bitString(sign('sha256', tbs, input.privateKey)));
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
