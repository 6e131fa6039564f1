/**
 * Refuses private keys before anything tries to parse them as keys.
 *
 * Contract: each function either returns nothing or throws
 * `InvalidInputError('private_key_refused', PRIVATE_KEY_REFUSED_MESSAGE, 'pem')`. The error is
 * built from constants only: no message, `cause`, stack or property ever carries a byte of the
 * input, so it is safe to log and to return to the caller.
 *
 * Why so thorough: a customer who pastes a private key has just disclosed it to us. We must not
 * store it, log it or echo it, and we must tell them plainly, so they keep it on their server
 * (and, ideally, rotate it). Node would even happily derive a public key from a private PEM
 * (`createPublicKey(privatePem)` succeeds), so "it parsed as a public key" proves nothing; the
 * refusal has to come first and look at the text and the DER outline, not at parse results.
 */
import { InvalidInputError } from '../errors.ts';
import { DER_INTEGER, DER_OCTET_STRING, DER_SEQUENCE, readDerElement, readDerHeader } from './der.ts';

export const PRIVATE_KEY_REFUSED_MESSAGE =
  'This is a private key. Upload only the public key (PEM) or X.509 certificate, and keep the private key on your server.';

export function privateKeyRefused(): InvalidInputError {
  return new InvalidInputError('private_key_refused', PRIVATE_KEY_REFUSED_MESSAGE, 'pem');
}

/**
 * Textual signs of a private key anywhere in the paste (a key hidden after a certificate, a
 * combined `.pem` file, odd casing or spacing of the label):
 * - a BEGIN/END boundary whose label ends in PRIVATE KEY: PKCS#8 `PRIVATE KEY`, `ENCRYPTED
 *   PRIVATE KEY`, `RSA`/`EC`/`DSA`/`OPENSSH`/`ANY PRIVATE KEY`, `SSH2 ENCRYPTED PRIVATE KEY`…;
 * - a `PRIVATE KEY` label closed by dashes even when the BEGIN word was lost;
 * - a PuTTY `.ppk` file;
 * - the base64 of the OpenSSH private key magic `openssh-key-v1\0`, even without its label.
 * The patterns need label words or dashes around "PRIVATE KEY", so prose such as "keep your
 * private key safe" after a certificate is reported as stray text, not as a private key.
 */
const PRIVATE_KEY_TEXT_MARKERS: readonly RegExp[] = [
  /\b(?:BEGIN|END)\s+(?:[A-Z0-9]+\s+){0,4}PRIVATE[\s_-]{0,10}KEY\b/i,
  /\bPRIVATE[\s_-]{0,10}KEY\s*-{3,}/i,
  /PuTTY-User-Key-File-\d/i,
  /b3BlbnNzaC1rZXktdjE/,
];

/** A JWK (JSON) carrying the private exponent/scalar `d`. */
const PRIVATE_JWK = /"d"\s*:/;

/** Cheap text scan; run it on the whole (normalized) paste before looking at its structure. */
export function refusePrivateKeyText(text: string): void {
  for (const marker of PRIVATE_KEY_TEXT_MARKERS) {
    if (marker.test(text)) throw privateKeyRefused();
  }
  if (text.trimStart().startsWith('{') && PRIVATE_JWK.test(text)) throw privateKeyRefused();
}

const OPENSSH_MAGIC = Buffer.from('openssh-key-v1\0', 'latin1');

/**
 * Recognises the outline of every common private-key container from its first DER elements:
 * - `SEQUENCE { INTEGER 0|1, … }`: PKCS#8 PrivateKeyInfo (v1) and OneAsymmetricKey (v2), PKCS#1
 *   RSAPrivateKey, SEC1 ECPrivateKey (version 1), OpenSSL's traditional DSA key;
 *   `INTEGER 3` is a PKCS#12 (.p12/.pfx) bundle, which normally carries the private key too.
 * - `SEQUENCE { SEQUENCE, OCTET STRING }`: PKCS#8 EncryptedPrivateKeyInfo.
 * - the OpenSSH private key magic.
 * Public structures never match: SPKI is `SEQUENCE { SEQUENCE, BIT STRING }`, a certificate is
 * `SEQUENCE { SEQUENCE, SEQUENCE, BIT STRING }`, and a PKCS#1 RSAPublicKey starts with the
 * (multi-byte) modulus. Trailing bytes after the outer element are tolerated, and with
 * `partial` the outer element may also be cut short (only its first elements need to be there),
 * so that this works on base64 runs cut out of a larger paste.
 */
export function looksLikePrivateKeyDer(der: Uint8Array, options: { partial?: boolean } = {}): boolean {
  if (der.length >= OPENSSH_MAGIC.length && OPENSSH_MAGIC.equals(der.subarray(0, OPENSSH_MAGIC.length))) {
    return true;
  }
  const outer = options.partial ? readDerHeader(der, 0) : readDerElement(der, 0);
  if (!outer || outer.tag !== DER_SEQUENCE) return false;
  const first = readDerHeader(der, outer.valueStart);
  if (!first || first.end > outer.end) return false;
  if (first.tag === DER_INTEGER && first.end - first.valueStart === 1 && first.end <= der.length) {
    const version = der[first.valueStart];
    return version === 0 || version === 1 || version === 3;
  }
  if (first.tag === DER_SEQUENCE) {
    const second = readDerHeader(der, first.end);
    return second !== null && second.tag === DER_OCTET_STRING && second.end <= outer.end;
  }
  return false;
}

/** Base64 lines of a PEM body are 64 (or 76) characters; prose words are much shorter. */
const LONG_TOKEN = 16;
/** Bounds the work on hostile input; real pastes have one or two candidates. */
const MAX_CANDIDATES = 64;

/**
 * Finds base64 that decodes to a private-key container even without a PEM label: raw base64 of
 * a PKCS#8/PKCS#1/SEC1/encrypted key (one line or many), a private key body under a wrong label
 * (`-----BEGIN PUBLIC KEY-----` around PKCS#8), or a key after some words ("my key: MIIE…").
 *
 * The paste is split into segments at every character that cannot occur in base64 or between
 * its lines (dashes of PEM boundaries, colons, quotes…). A candidate starts at the beginning of
 * a segment or at a token that follows a short word; it runs to the end of its segment and only
 * its DER outline is inspected (a cut-off outline is enough, e.g. when each line of the key sits
 * in its own quotes). Lines in the middle of a legitimate body are never candidates,
 * so a certificate whose inner bytes happen to look like `SEQUENCE { INTEGER 0 }` is not refused.
 */
export function refusePrivateKeyBase64(text: string): void {
  let candidates = 0;
  for (const segment of text.split(/[^A-Za-z0-9+/=\s]+/)) {
    const tokens = segment.split(/\s+/).filter((t) => t !== '');
    for (let i = 0; i < tokens.length; i++) {
      const startsRun = i === 0 || tokens[i - 1]!.length < LONG_TOKEN;
      if (!startsRun) continue;
      if (++candidates > MAX_CANDIDATES) return;
      const decoded = Buffer.from(tokens.slice(i).join(''), 'base64');
      if (looksLikePrivateKeyDer(decoded, { partial: true })) throw privateKeyRefused();
    }
  }
}
