/**
 * Admin passwords: scrypt (RFC 7914) with a per-password salt, encoded as
 * `scrypt$N$r$p$salt$hash` so parameters can be raised later without breaking stored hashes.
 *
 * Contract: `hashPassword` never returns the password or anything reversible; `verifyPassword`
 * compares in constant time and returns false (never throws) for a malformed stored value.
 * `checkNewPassword` is the rule for a new password. The key derivation itself is passed in
 * (`DeriveKey`): the server runs it on a dedicated worker thread (src/services/password-hasher.ts),
 * never on libuv's pool, which signs access tokens.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { InvalidInputError } from './errors.ts';

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** scrypt(password, salt) with these parameters, `keyLength` bytes long. */
export type DeriveKey = (password: string, salt: Buffer, params: ScryptParams, keyLength: number) => Promise<Buffer>;

// OWASP's minimum for scrypt: N = 2^17, r = 8, p = 1 (128 MiB, ~0.7 s on one core of the 2-core CI machine).
export const SCRYPT_PARAMS: ScryptParams = { N: 1 << 17, r: 8, p: 1 };
const KEY_LENGTH = 32;
const MIN_LENGTH = 12;
const MAX_LENGTH = 1024;

/** Memory scrypt needs for these parameters (128·N·r bytes), with headroom: Node's `maxmem`. */
export const scryptMaxmem = (params: ScryptParams): number => 256 * params.N * params.r;

export function checkNewPassword(password: string): void {
  if (password.length < MIN_LENGTH) throw new InvalidInputError('weak_password', `The password must be at least ${MIN_LENGTH} characters.`, 'password');
  if (password.length > MAX_LENGTH) throw new InvalidInputError('invalid_password', `The password must be at most ${MAX_LENGTH} characters.`, 'password');
}

export async function hashPassword(password: string, derive: DeriveKey): Promise<string> {
  const salt = randomBytes(16);
  const { N, r, p } = SCRYPT_PARAMS;
  const key = await derive(password.normalize('NFKC'), salt, SCRYPT_PARAMS, KEY_LENGTH);
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string, derive: DeriveKey): Promise<boolean> {
  const m = /^scrypt\$(\d{1,8})\$(\d{1,3})\$(\d{1,3})\$([A-Za-z0-9_-]{1,128})\$([A-Za-z0-9_-]{1,128})$/.exec(stored);
  if (!m || password.length > MAX_LENGTH) return false;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Stored values are ours, but a tampered row must not make us allocate gigabytes.
  if (N < 2 || N > 1 << 20 || (N & (N - 1)) !== 0 || r < 1 || r > 32 || p < 1 || p > 16) return false;
  const expected = Buffer.from(m[5]!, 'base64url');
  const actual = await derive(password.normalize('NFKC'), Buffer.from(m[4]!, 'base64url'), { N, r, p }, expected.length);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
