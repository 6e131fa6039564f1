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
 *
 * The grammar is `-----[ \t]*(BEGIN|END)[ \t]+LABEL-----`, where LABEL is any run of characters
 * other than `-` and newline (surrounding blanks trimmed). It is read by hand, in one pass,
 * rather than with a regular expression: the obvious pattern has three adjacent runs that can
 * each take the same blanks, and backtracks cubically on `-----BEGIN ` followed by thousands of
 * tabs (seconds to minutes of a blocked event loop for one 16 KB paste).
 */
interface Boundary {
  kind: 'BEGIN' | 'END';
  label: string;
  start: number;
  end: number;
}

const DASHES = '-----';

/**
 * Every boundary, left to right, non-overlapping (the END's closing dashes cannot open the next
 * boundary). Linear time: a failed attempt at `-----` only reads the blanks and word right after
 * it (which no other attempt reads), and a label runs to the next `-` or newline, which no other
 * attempt's label can cross.
 */
function findBoundaries(text: string): Boundary[] {
  const found: Boundary[] = [];
  let from = 0;
  for (let start = text.indexOf(DASHES, from); start !== -1; start = text.indexOf(DASHES, from)) {
    const boundary = boundaryAt(text, start);
    if (boundary) found.push(boundary);
    from = boundary ? boundary.end : start + 1;
  }
  return found;
}

/** The boundary that starts with the dashes at `start`, if one does. */
function boundaryAt(text: string, start: number): Boundary | null {
  let at = skipBlanks(text, start + DASHES.length);
  const kind = hasWordAt(text, at, 'BEGIN') ? 'BEGIN' : hasWordAt(text, at, 'END') ? 'END' : null;
  if (!kind) return null;
  at += kind.length;
  if (!isBlank(text.charCodeAt(at))) return null;
  const labelStart = at;
  while (at < text.length && text[at] !== '-' && text[at] !== '\n') at++;
  if (!text.startsWith(DASHES, at)) return null;
  return {
    kind,
    label: text.slice(labelStart, at).trim().replace(/\s+/g, ' ').toUpperCase(),
    start,
    end: at + DASHES.length,
  };
}

const SPACE = 0x20;
const TAB = 0x09;
const isBlank = (code: number): boolean => code === SPACE || code === TAB;

function skipBlanks(text: string, at: number): number {
  while (isBlank(text.charCodeAt(at))) at++;
  return at;
}

/** `word` (upper-case ASCII) at `at`, in any ASCII case: `begin`, `Begin`, but never `BEGİN`. */
function hasWordAt(text: string, at: number, word: string): boolean {
  if (at + word.length > text.length) return false;
  for (let i = 0; i < word.length; i++) {
    // Setting 0x20 lower-cases an ASCII letter, and maps no other character onto one.
    if ((text.charCodeAt(at + i) | 0x20) !== (word.charCodeAt(i) | 0x20)) return false;
  }
  return true;
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
  const boundaries = findBoundaries(text);

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
export function encodePem(label: CredentialPemLabel | 'PKCS7', der: Uint8Array): string {
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
