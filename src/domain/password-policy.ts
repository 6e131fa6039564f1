/**
 * The password rule for a tenant's users (the database connection), checked whenever a
 * password is set: at least 8 characters, at most 256 bytes, and not one of the most common
 * passwords.
 *
 * - The upper bound is in UTF-8 bytes because bytes are what scrypt hashes: it caps what one
 *   request can make the hashing worker do.
 * - The common-password list is zxcvbn-ts's (npm `@zxcvbn-ts/language-common`, MIT licence):
 *   ~49,000 leaked passwords ranked by frequency, all lower case. A password is compared in
 *   lower case, so `Password123` is as refused as `password123`. The list is loaded and turned
 *   into a Set once, on first use (so neither a server's start nor a command that never sets a
 *   password pays the ~50 ms it takes); each check is then one lookup.
 *
 * Errors are Auth0's: `PasswordStrengthError: Password is too weak` and
 * `PasswordDictionaryError: Password is too common` (errorCode `invalid_body`), each followed
 * by the rule that failed, so the caller knows what to change.
 */
import { createRequire } from 'node:module';
import { InvalidInputError } from './errors.ts';

export const PASSWORD_MIN_CHARS = 8;
export const PASSWORD_MAX_BYTES = 256;

let common: ReadonlySet<string> | undefined;
function commonPasswords(): ReadonlySet<string> {
  if (!common) {
    // A CommonJS package: required synchronously here, so the check stays synchronous.
    const { dictionary } = createRequire(import.meta.url)('@zxcvbn-ts/language-common') as { dictionary: Record<string, unknown> };
    common = new Set(dictionary['passwords-common'] as string[]);
  }
  return common;
}

/** Whether `password` is on the common-password list (case-insensitively). */
export function isCommonPassword(password: string): boolean {
  return commonPasswords().has(password.toLowerCase());
}

/** Throws an InvalidInputError (field `password`) naming the rule a new password breaks. */
export function checkUserPassword(password: unknown): asserts password is string {
  const refuse = (message: string): never => {
    throw new InvalidInputError('invalid_body', message, 'password');
  };
  if (typeof password !== 'string') return refuse('password must be a string.');
  // Code points, not UTF-16 units: an emoji is one character to the person typing it.
  if ([...password].length < PASSWORD_MIN_CHARS) {
    return refuse(`PasswordStrengthError: Password is too weak: it must be at least ${PASSWORD_MIN_CHARS} characters long.`);
  }
  if (Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES) {
    return refuse(`PasswordStrengthError: Password is too long: it must be at most ${PASSWORD_MAX_BYTES} bytes (UTF-8).`);
  }
  if (isCommonPassword(password)) {
    return refuse('PasswordDictionaryError: Password is too common: it is on a list of the most used passwords. Choose a less common one.');
  }
}
