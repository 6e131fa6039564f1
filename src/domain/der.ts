/**
 * A minimal DER (ITU-T X.690) encoder: just the types an X.509 certificate and a PKCS#7
 * certificate bundle need. Each function returns one complete TLV; structures are built by
 * nesting calls. Encoding only: Signet never parses DER with this (node:crypto does).
 */

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One TLV with the given identifier octet. */
export function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), length(content.length), content]);
}

export const sequence = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
export const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
export const nullValue = () => Buffer.from([0x05, 0x00]);
export const boolean = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0x00]));
export const octetString = (content: Buffer) => tlv(0x04, content);
export const utf8String = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));
/** A BIT STRING of whole bytes (no unused bits), as signatures and keys are. */
export const bitString = (content: Buffer) => tlv(0x03, Buffer.concat([Buffer.from([0]), content]));
/** `[n] EXPLICIT` around one encoded value. */
export const explicit = (n: number, inner: Buffer) => tlv(0xa0 | n, inner);
/** `[n] IMPLICIT` for a constructed SET OF / SEQUENCE OF: the content of `items`, retagged. */
export const implicitConstructed = (n: number, ...items: Buffer[]) => tlv(0xa0 | n, Buffer.concat(items));

/** A non-negative INTEGER from its big-endian magnitude (leading zeros trimmed, a 0x00 added when the top bit is set). */
export function unsignedInteger(magnitude: Buffer): Buffer {
  let i = 0;
  while (i < magnitude.length - 1 && magnitude[i] === 0) i++;
  let body = magnitude.subarray(i);
  if (body.length === 0) body = Buffer.from([0]);
  if (body[0]! & 0x80) body = Buffer.concat([Buffer.from([0]), body]);
  return tlv(0x02, body);
}

export const smallInteger = (n: number) => {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError('smallInteger takes 0..2^32-1');
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return unsignedInteger(b);
};

/** An OBJECT IDENTIFIER from dotted form, e.g. "2.5.4.3". */
export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  if (arcs.length < 2 || arcs.some((a) => !Number.isSafeInteger(a) || a < 0) || arcs[0]! > 2 || (arcs[0]! < 2 && arcs[1]! > 39)) {
    throw new RangeError(`Not an OID: ${dotted}`);
  }
  const out: number[] = [];
  const base128 = (v: number) => {
    const groups: number[] = [v % 128];
    for (let r = Math.floor(v / 128); r > 0; r = Math.floor(r / 128)) groups.unshift((r % 128) | 0x80);
    out.push(...groups);
  };
  base128(arcs[0]! * 40 + arcs[1]!);
  for (const a of arcs.slice(2)) base128(a);
  return tlv(0x06, Buffer.from(out));
}

/**
 * An X.509 Time (RFC 5280 §4.1.2.5): UTCTime through 2049, GeneralizedTime from 2050, in
 * whole seconds, always UTC ("Z").
 */
export function time(ms: number): Buffer {
  const d = new Date(Math.floor(ms / 1000) * 1000);
  const y = d.getUTCFullYear();
  if (y < 1950 || y > 9999) throw new RangeError('A certificate time lies between 1950 and 9999');
  const two = (n: number) => String(n).padStart(2, '0');
  const rest = `${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}Z`;
  return y < 2050 ? tlv(0x17, Buffer.from(two(y % 100) + rest, 'ascii')) : tlv(0x18, Buffer.from(String(y) + rest, 'ascii'));
}
