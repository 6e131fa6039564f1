/**
 * Which kind of key a pasted PEM holds (RSA, EC and its curve, Ed25519), read in the browser so
 * the algorithm list offers only what fits the key. A minimal DER walk over the
 * SubjectPublicKeyInfo (of a PUBLIC KEY, or inside a CERTIFICATE); anything it does not
 * recognise yields null and the server, which parses fully, has the last word.
 */

/** Every algorithm a credential may be registered with (the server's CREDENTIAL_ALGS), RS256 first: Auth0's default. */
export const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'] as const;

export type KeyShape = { keyType: 'RSA' } | { keyType: 'EC'; curve: string } | { keyType: 'OKP'; curve: string };

const OIDS: Record<string, string> = {
  '2a864886f70d010101': 'rsaEncryption',
  '2a864886f70d01010a': 'rsassa-pss',
  '2a8648ce3d0201': 'ecPublicKey',
  '2a8648ce3d030107': 'P-256',
  '2b81040022': 'P-384',
  '2b81040023': 'P-521',
  '2b6570': 'Ed25519',
  '2b6571': 'Ed448',
};

/** The algorithms a key of this shape can sign with, in the order they are offered. */
export function algsForKey(shape: KeyShape | null, all: readonly string[]): readonly string[] {
  if (!shape) return all;
  if (shape.keyType === 'RSA') return all.filter((a) => a.startsWith('RS') || a.startsWith('PS'));
  if (shape.keyType === 'EC') return shape.curve === 'P-256' ? ['ES256'] : shape.curve === 'P-384' ? ['ES384'] : all;
  return shape.curve === 'Ed25519' ? ['EdDSA'] : all;
}

export const describeKeyShape = (s: KeyShape) => (s.keyType === 'RSA' ? 'RSA key' : s.keyType === 'EC' ? `EC ${s.curve} key` : `${s.curve} key`);

export function keyShapeOf(pem: string): KeyShape | null {
  const block = firstPemBlock(pem);
  if (!block) return null;
  if (block.label === 'RSA PUBLIC KEY') return { keyType: 'RSA' };
  try {
    if (block.label === 'PUBLIC KEY') return spkiShape(block.der, 0);
    if (block.label === 'CERTIFICATE') return spkiShape(block.der, certificateSpkiOffset(block.der));
  } catch {
    return null;
  }
  return null;
}

/** The first armoured block, line by line (linear in the input, bounded label). */
function firstPemBlock(pem: string): { label: string; der: Uint8Array } | null {
  const lines = pem.split(/\r?\n/);
  let label: string | null = null;
  let body = '';
  for (const raw of lines) {
    const line = raw.trim();
    if (label === null) {
      if (line.startsWith('-----BEGIN ') && line.endsWith('-----') && line.length < 80) label = line.slice(11, -5);
    } else if (line.startsWith('-----END ')) {
      try {
        const bin = atob(body);
        const der = new Uint8Array(bin.length);
        for (let i = 0; i < bin.length; i++) der[i] = bin.charCodeAt(i);
        return { label, der };
      } catch {
        return null;
      }
    } else body += line;
  }
  return null;
}

interface Tlv {
  tag: number;
  start: number;
  end: number;
}

function tlv(der: Uint8Array, pos: number): Tlv {
  const tag = der[pos];
  let len = der[pos + 1];
  if (tag === undefined || len === undefined) throw new Error('truncated');
  let start = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n < 1 || n > 4) throw new Error('bad length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (der[start + i] ?? 0);
    start += n;
  }
  if (start + len > der.length) throw new Error('truncated');
  return { tag, start, end: start + len };
}

const hex = (der: Uint8Array, t: Tlv) => Array.from(der.subarray(t.start, t.end), (b) => b.toString(16).padStart(2, '0')).join('');

/** SubjectPublicKeyInfo ::= SEQUENCE { algorithm SEQUENCE { OID, parameters }, BIT STRING }. */
function spkiShape(der: Uint8Array, pos: number): KeyShape | null {
  const spki = tlv(der, pos);
  const algId = tlv(der, spki.start);
  const oid = tlv(der, algId.start);
  if (oid.tag !== 0x06) return null;
  const name = OIDS[hex(der, oid)];
  if (name === 'rsaEncryption' || name === 'rsassa-pss') return { keyType: 'RSA' };
  if (name === 'Ed25519' || name === 'Ed448') return { keyType: 'OKP', curve: name };
  if (name === 'ecPublicKey' && oid.end < algId.end) {
    const params = tlv(der, oid.end);
    const curve = params.tag === 0x06 ? OIDS[hex(der, params)] : undefined;
    return { keyType: 'EC', curve: curve ?? 'unknown curve' };
  }
  return null;
}

/** Certificate ::= SEQUENCE { tbs SEQUENCE { [0] version?, serial, signature, issuer, validity, subject, spki, … }, … }. */
function certificateSpkiOffset(der: Uint8Array): number {
  const cert = tlv(der, 0);
  const tbs = tlv(der, cert.start);
  let pos = tbs.start;
  if (tlv(der, pos).tag === 0xa0) pos = tlv(der, pos).end;
  for (let i = 0; i < 5; i++) pos = tlv(der, pos).end; // serial, signature, issuer, validity, subject
  return pos;
}
