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
 */
import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';

const SPKI_PREFIX = '-----BEGIN PUBLIC KEY-----';
const CERTIFICATE_PREFIX = '-----BEGIN CERTIFICATE-----';

export function importStoredKey(pem: string): KeyObject {
  try {
    if (pem.startsWith(CERTIFICATE_PREFIX)) return new X509Certificate(pem).publicKey;
    if (pem.startsWith(SPKI_PREFIX)) return createPublicKey({ key: pem, format: 'pem', type: 'spki' });
  } catch (error) {
    // Node's decoder errors name the failing routine, never the key material.
    throw new Error('Stored credential PEM could not be imported.', { cause: error });
  }
  throw new Error('Stored credential PEM is neither a PUBLIC KEY nor a CERTIFICATE block.');
}
