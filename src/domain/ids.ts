import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A uniformly random base62 string (rejection sampling, so no modulo bias). */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < 248) out += ALPHABET[b % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

export const newClientId = () => randomBase62(32);
export const newClientSecret = () => randomBytes(48).toString('base64url');
export const newCredentialId = () => `cred_${randomBase62(22)}`;
export const newClientGrantId = () => `cgr_${randomBase62(16)}`;
export const newResourceServerId = () => randomBase62(24);
export const newTenantId = () => `ten_${randomBase62(16)}`;
/**
 * Log event ids are unique, not secret: a per-process random prefix and a counter, so the token
 * endpoint does not pay for fresh randomness on every event.
 */
const LOG_PREFIX = randomBase62(12);
let logCounter = 0;
export const newLogId = () => `${LOG_PREFIX}${(++logCounter).toString(36).padStart(12, '0')}`;
/**
 * A database-connection user's id, as Auth0 makes them: `auth0|` and 24 lowercase hex
 * characters (96 random bits).
 */
export const USER_ID_PROVIDER = 'auth0';
export const newUserIdPart = () => randomBytes(12).toString('hex');
export const newUserId = () => `${USER_ID_PROVIDER}|${newUserIdPart()}`;
export const newAdminId = () => `adm_${randomBase62(16)}`;
/** A dashboard session token: 256 bits, the cookie value (only its digest is stored). */
export const newSessionToken = () => randomBytes(32).toString('base64url');
