import { InvalidInputError } from './errors.ts';
import type { Check } from './object-fields/field-rules.ts';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Whether a URL's host is the local machine (the only place plain http is allowed to receive codes or users). */
export const isLoopbackHost = (hostname: string): boolean => LOOPBACK_HOSTS.has(hostname.toLowerCase());

export const MAX_REDIRECT_URL_LENGTH = 2048;

/**
 * A URL Signet may send a browser to with a code or after logout (`callbacks`,
 * `allowed_logout_urls`): absolute; https, or http only on localhost / 127.0.0.1 / [::1]
 * (RFC 9700 §2.6: codes in the clear only where they never leave the machine); no fragment
 * (RFC 6749 §3.1.2: the response's own parameters would be lost or mixed); no user:password
 * part; no `*` (Signet matches exactly, so a wildcard would never match and only mislead).
 */
export const redirectUrl: Check = (v, p) => {
  const bad = (what: string) => new InvalidInputError('invalid_field', `${p} ${what}.`, p.split(/[.[]/)[0]);
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_REDIRECT_URL_LENGTH) throw bad(`must be a URL of 1 to ${MAX_REDIRECT_URL_LENGTH} characters`);
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw bad('must be an absolute URL');
  }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && isLoopbackHost(u.hostname))) {
    throw bad('must be an https URL (http only for localhost, 127.0.0.1 or [::1])');
  }
  if (v.includes('#')) throw bad('must not contain a fragment (#)');
  if (u.username || u.password) throw bad('must not contain a user name or password');
  if (v.includes('*')) throw bad('must not contain a wildcard (*): redirect URLs are matched exactly');
};

/** Exact string comparison against a registered list (RFC 9700 §4.1.3): no normalisation, no prefix or port leeway. */
export function isRegistered(list: unknown, candidate: string): boolean {
  return Array.isArray(list) && list.some((u) => typeof u === 'string' && u === candidate);
}
