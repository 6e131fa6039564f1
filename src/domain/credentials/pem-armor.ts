/**
 * PEM armor (RFC 7468) in and out: normalize what customers paste, cut out exactly one block,
 * and encode DER back into canonical PEM for storage.
 *
 * Contract: `readSinglePemBlock` returns the block's label and DER bytes or throws
 * `InvalidInputError('invalid_pem', …, 'pem')` whose message describes the problem (where, what
 * kind) and never quotes the input: pastes are often wrong in ways that include secrets, so the
 * message must be safe to log and to show. Private-key detection is NOT done here; the caller
 * runs it first (see refuse-private-key.ts).
 */
import { InvalidInputError } from '../errors.ts';

/** The labels we accept, as RFC 7468 names them. */
export type CredentialPemLabel = 'PUBLIC KEY' | 'RSA PUBLIC KEY' | 'CERTIFICATE';

export interface PemBlock {
  label: CredentialPemLabel;
  der: Buffer;
}

export function invalidPem(message: string): InvalidInputError {
  return new InvalidInputError('invalid_pem', message, 'pem');
}

/**
 * Undo the usual transport damage, without interpreting anything:
 * - a literal two-character `\n` (or `\r\n`) where newlines should be: the PEM was JSON-escaped
 *   twice or copied from a JSON/env file. A PEM never contains a backslash, so this is safe;
 * - `\/`, which some JSON encoders (PHP) emit for the `/` of base64;
 * - CRLF and lone CR line endings;
 * - surrounding whitespace, including a byte-order mark (String#trim removes U+FEFF).
 */
export function normalizePastedPem(text: string): string {
  return text
    .replace(/\\r\\n|\\n|\\r/g, '\n')
    .replace(/\\\//g, '/')
    .replace(/\r\n?/g, '\n')
    .trim();
}

/**
 * A boundary line. Lenient on spacing and case (`----- begin public key -----`), and it does not
 * require the boundary to be on its own line, so a PEM whose newlines were flattened to spaces
 * still reads; the body is base64 with all whitespace removed anyway.
 */
const BOUNDARY = /-----[ \t]*(BEGIN|END)[ \t]+([^-\n]*?)[ \t]*-----/gi;

interface Boundary {
  kind: 'BEGIN' | 'END';
  label: string;
  start: number;
  end: number;
}

const ACCEPTED_LABELS: Readonly<Record<string, CredentialPemLabel>> = {
  'PUBLIC KEY': 'PUBLIC KEY',
  'RSA PUBLIC KEY': 'RSA PUBLIC KEY',
  CERTIFICATE: 'CERTIFICATE',
  // RFC 7468 §5.1: legacy labels parsers may accept for certificates.
  'X509 CERTIFICATE': 'CERTIFICATE',
  'X.509 CERTIFICATE': 'CERTIFICATE',
};

const EXPECTED =
  'Expected one public key (-----BEGIN PUBLIC KEY----- or -----BEGIN RSA PUBLIC KEY-----) or one X.509 certificate (-----BEGIN CERTIFICATE-----).';

export function readSinglePemBlock(text: string): PemBlock {
  const boundaries: Boundary[] = [...text.matchAll(BOUNDARY)].map((m) => ({
    kind: m[1]!.toUpperCase() as 'BEGIN' | 'END',
    label: m[2]!.trim().replace(/\s+/g, ' ').toUpperCase(),
    start: m.index!,
    end: m.index! + m[0].length,
  }));

  const begins = boundaries.filter((b) => b.kind === 'BEGIN').length;
  if (begins === 0) throw invalidPem(describeMissingBlock(text, boundaries.length > 0));
  if (begins > 1) {
    throw invalidPem(
      `Expected exactly one PEM block but found ${begins}. Upload a single public key or certificate (for a certificate chain, only the leaf certificate).`,
    );
  }
  const [begin, end, ...extra] = boundaries as [Boundary, ...Boundary[]];
  if (begin.kind !== 'BEGIN') throw invalidPem('The PEM has an -----END line before its -----BEGIN line.');
  if (text.slice(0, begin.start).trim() !== '') {
    throw invalidPem('Unexpected text before the -----BEGIN line. Paste only the PEM block itself.');
  }
  if (!end) throw invalidPem('The PEM block has no -----END line; it may have been cut off.');
  if (extra.length > 0 || text.slice(end.end).trim() !== '') {
    throw invalidPem('Unexpected text after the -----END line. Paste only the PEM block itself.');
  }
  if (end.label !== begin.label) throw invalidPem('The -----BEGIN and -----END labels of the PEM block do not match.');

  const label = ACCEPTED_LABELS[begin.label];
  if (!label) throw invalidPem(describeUnsupportedLabel(begin.label));

  const base64 = text.slice(begin.end, end.start).replace(/\s+/g, '');
  if (base64 === '') throw invalidPem('The PEM block is empty.');
  // Strict base64: Buffer.from would silently skip bad characters and decode something else.
  if (base64.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) {
    throw invalidPem('The body of the PEM block is not valid base64.');
  }
  const der = Buffer.from(base64, 'base64');
  // Rejects non-canonical encodings (stray bits in the last character).
  if (der.toString('base64') !== base64) throw invalidPem('The body of the PEM block is not valid base64.');
  return { label, der };
}

/** Canonical PEM: 64-character lines, LF endings, trailing newline (what Node and OpenSSL write). */
export function encodePem(label: CredentialPemLabel, der: Uint8Array): string {
  const lines = Buffer.from(der).toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** Explains a paste with no BEGIN line, recognising the usual near-misses by their shape. */
function describeMissingBlock(text: string, hasEnd: boolean): string {
  if (hasEnd) return 'The PEM has an -----END line but no -----BEGIN line; it may have been cut off.';
  if (/^(?:ssh-(?:rsa|dss|ed25519)|ecdsa-sha2-nistp\d+)\s/.test(text)) {
    return 'This is an OpenSSH public key, not PEM. Convert it first, e.g. `ssh-keygen -e -m PKCS8 -f key.pub`.';
  }
  if (text.startsWith('{')) return `A JWK (JSON) is not accepted here; upload PEM. ${EXPECTED}`;
  if (/^[A-Za-z0-9+/=\s]+$/.test(text)) {
    return `The PEM armor is missing: the -----BEGIN and -----END lines around the base64 are required. ${EXPECTED}`;
  }
  return `No PEM block found. ${EXPECTED}`;
}

function describeUnsupportedLabel(label: string): string {
  if (label.endsWith('CERTIFICATE REQUEST')) {
    return 'This is a certificate signing request (CSR), not a certificate. Upload the issued certificate or the public key.';
  }
  if (label === 'SSH2 PUBLIC KEY') {
    return `This is an SSH2 (RFC 4716) public key. Convert it to a PEM public key (-----BEGIN PUBLIC KEY-----) first.`;
  }
  if (label.endsWith('PARAMETERS')) return `This PEM block holds key parameters, not a key. ${EXPECTED}`;
  return `Unsupported PEM block type. ${EXPECTED}`;
}
