/**
 * Just enough DER to look at the outer shape of a structure: `readDerElement` reads one
 * tag-length header and says where the value starts and where the element ends.
 *
 * Contract: never throws, never allocates, never looks past `buf.length`; returns `null` for
 * anything that is not a well-formed definite-length header whose value fits in the buffer
 * (`readDerHeader` also accepts a value that runs past the end).
 * It interprets no values: the credential parser only needs the outline of a structure to
 * recognise private-key containers *before* a real key parser sees the bytes, and to check
 * that a PEM body is exactly one DER element.
 */
export interface DerElement {
  /** The identifier octet, e.g. 0x30 SEQUENCE, 0x02 INTEGER, 0x03 BIT STRING, 0x04 OCTET STRING. */
  tag: number;
  /** Offset of the first value byte. */
  valueStart: number;
  /** Offset just after the last value byte (where the next sibling starts). */
  end: number;
}

export const DER_SEQUENCE = 0x30;
export const DER_INTEGER = 0x02;
export const DER_OCTET_STRING = 0x04;

export function readDerElement(buf: Uint8Array, offset: number): DerElement | null {
  const element = readDerHeader(buf, offset);
  return element !== null && element.end <= buf.length ? element : null;
}

/**
 * Like `readDerElement`, but the value may extend past the end of `buf`: for looking at the
 * outline of a structure of which only the beginning is at hand.
 */
export function readDerHeader(buf: Uint8Array, offset: number): DerElement | null {
  if (offset < 0 || offset + 2 > buf.length) return null;
  const tag = buf[offset]!;
  // High-tag-number form never occurs in the key and certificate outlines we look at.
  if ((tag & 0x1f) === 0x1f) return null;
  let length = buf[offset + 1]!;
  let valueStart = offset + 2;
  if (length & 0x80) {
    const lengthBytes = length & 0x7f;
    // 0 would be BER's indefinite length, which DER forbids; > 4 bytes of length is absurd here.
    if (lengthBytes === 0 || lengthBytes > 4 || valueStart + lengthBytes > buf.length) return null;
    length = 0;
    for (let i = 0; i < lengthBytes; i++) length = length * 256 + buf[valueStart + i]!;
    valueStart += lengthBytes;
  }
  return { tag, valueStart, end: valueStart + length };
}

/** True when `der` is exactly one SEQUENCE with nothing before or after it. */
export function isSingleDerSequence(der: Uint8Array): boolean {
  const outer = readDerElement(der, 0);
  return outer !== null && outer.tag === DER_SEQUENCE && outer.end === der.length;
}
