/**
 * Admin passwords: scrypt (RFC 7914) with a per-password salt, encoded as
 * `scrypt$N$r$p$salt$hash` so parameters can be raised later without breaking stored hashes.
 *
 * Contract: `hashPassword` never returns the password or anything reversible; `verifyPassword`
 * compares in constant time and returns false (never throws) for a malformed stored value.
 * `checkNewPassword` is the rule for a new password. Both hash functions run on the libuv
 * thread pool (async scrypt) so a sign-in never blocks the token endpoint.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { InvalidInputError } from './errors.ts';

// OWASP's minimum for scrypt: N = 2^17, r = 8, p = 1 (128 MiB, ~0.7 s on one core of the 2-core CI machine).
// Hashes run on the libuv pool (4 threads by default), so at most 4 run at once: 512 MiB at worst,
// and the sign-in throttle keeps a guessing burst from queueing many.
const PARAMS = { N: 1 << 17, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const MIN_LENGTH = 12;
const MAX_LENGTH = 1024;

function derive(password: string, salt: Buffer, opts: ScryptOptions & { N: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { ...opts, maxmem: 256 * opts.N * opts.r }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export function checkNewPassword(password: string): void {
  if (password.length < MIN_LENGTH) throw new InvalidInputError('weak_password', `The password must be at least ${MIN_LENGTH} characters.`, 'password');
  if (password.length > MAX_LENGTH) throw new InvalidInputError('invalid_password', `The password must be at most ${MAX_LENGTH} characters.`, 'password');
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, PARAMS);
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/.exec(stored);
  if (!m || password.length > MAX_LENGTH) return false;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Stored values are ours, but a tampered row must not make us allocate gigabytes.
  if (N > 1 << 20 || r > 32 || p > 16) return false;
  const expected = Buffer.from(m[5]!, 'base64url');
  const actual = await derive(password, Buffer.from(m[4]!, 'base64url'), { N, r, p });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A hash of a random password: verifying against it costs what a real check costs, for unknown emails. */
let dummy: Promise<string> | undefined;
export const dummyPasswordHash = (): Promise<string> => (dummy ??= hashPassword(randomBytes(16).toString('hex')));
