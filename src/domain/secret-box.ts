import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Encryption at rest for client secrets, APIs' signing secrets and tenant signing keys:
 * AES-256-GCM under the master key. The stored form is `v1.<iv>.<tag>.<ciphertext>`
 * (base64url). `aad` binds a ciphertext to its row (e.g. the kid), so a value copied into
 * another row does not decrypt.
 *
 * During a master-key rotation a box also knows other keys (`others`): it seals with the
 * master key only, and opens with the master key or any of the others. GCM's tag tells a
 * wrong key apart, so a value needs no key id: a process that knows both keys reads the
 * database whether or not it has been re-sealed yet (see `signet master-key rotate`).
 */
export class SecretBox {
  private readonly key: Buffer;
  private readonly others: readonly Buffer[];
  constructor(masterKey: Buffer, others: readonly Buffer[] = []) {
    if (masterKey.length !== 32 || others.some((k) => k.length !== 32)) throw new Error('The master key must be 32 bytes');
    this.key = masterKey;
    this.others = others.filter((k) => !k.equals(masterKey));
  }

  seal(plaintext: string, aad: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    c.setAAD(Buffer.from(aad));
    const ct = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
    return `v1.${iv.toString('base64url')}.${c.getAuthTag().toString('base64url')}.${ct.toString('base64url')}`;
  }

  open(sealed: string, aad: string): string {
    const [v, iv, tag, ct] = sealed.split('.');
    if (v !== 'v1' || !iv || !tag || ct === undefined) throw new Error('Unrecognised sealed value');
    for (const key of [this.key, ...this.others]) {
      const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      d.setAAD(Buffer.from(aad));
      d.setAuthTag(Buffer.from(tag, 'base64url'));
      try {
        return Buffer.concat([d.update(Buffer.from(ct, 'base64url')), d.final()]).toString('utf8');
      } catch {
        // Not this key (or not this row): try the next one.
      }
    }
    throw new Error('A sealed value cannot be opened with the master key (another key sealed it, or it belongs to another row)');
  }
}

/** Parses SIGNET_MASTER_KEY: 64 hex characters or base64/base64url of 32 bytes. */
export function parseMasterKey(value: string, what = 'SIGNET_MASTER_KEY'): Buffer {
  const v = value.trim();
  const buf = /^[0-9a-fA-F]{64}$/.test(v) ? Buffer.from(v, 'hex') : Buffer.from(v, 'base64');
  if (buf.length !== 32) throw new Error(`${what} must encode exactly 32 bytes (64 hex characters or base64)`);
  return buf;
}
