/**
 * Allowed Callback URLs and Allowed Logout URLs as people type them (one per line, or separated
 * by commas as Auth0's dashboard takes them) and the server's rules for them, known here so a
 * refusal can be explained before a click. The server stays the judge: these mirror the
 * Management API's check of `callbacks` and `allowed_logout_urls` (an absolute URL of at most
 * 2048 characters; https, or http only on the local machine; no fragment, no user:password, no
 * wildcard, since Signet matches these URLs exactly) and its limit of 100 per list.
 */

export const MAX_URLS = 100;
export const MAX_URL_LENGTH = 2048;
/** Bounds the work on a pasted text: 100 URLs of 2048 characters with separators fit in this. */
export const MAX_URL_TEXT_LENGTH = MAX_URLS * (MAX_URL_LENGTH + 2);

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The URLs in a textarea: split on line breaks and commas, trimmed, empty entries dropped. */
export function parseUrlList(text: string): string[] {
  return text
    .split(/[\r\n,]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** How a stored list is shown for editing: one URL per line. */
export const formatUrlList = (urls: readonly string[] | undefined): string => (urls ?? []).join('\n');

/** Whether two lists hold the same URLs in the same order (what would be saved is what is stored). */
export const sameUrls = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((u, i) => u === b[i]);

/** A URL as quoted in a message: long ones are cut, so the message stays readable. */
const quoted = (u: string) => `“${u.length > 60 ? `${u.slice(0, 57)}…` : u}”`;

/** Why this one URL would be refused, or null when it would not. */
export function whyUrlRefused(u: string): string | null {
  if (u.length > MAX_URL_LENGTH) return `${quoted(u)} is longer than ${MAX_URL_LENGTH} characters.`;
  if (/\s/.test(u)) return `${quoted(u)} contains a space. Put one URL per line.`;
  if (u.includes('*')) return `${quoted(u)} contains a wildcard (*). Signet matches these URLs exactly: list each URL in full.`;
  if (u.includes('#')) return `${quoted(u)} contains a fragment (#). Remove the part from # on.`;
  let url: URL;
  try {
    url = new URL(u);
  } catch {
    return `${quoted(u)} is not an absolute URL. Start it with https://.`;
  }
  if (url.protocol === 'http:') {
    if (!LOOPBACK_HOSTS.has(url.hostname.toLowerCase())) return `${quoted(u)} must use https. Plain http is allowed only for localhost and 127.0.0.1.`;
  } else if (url.protocol !== 'https:') {
    return `${quoted(u)} must be an https URL (http only for localhost and 127.0.0.1).`;
  }
  if (url.username || url.password) return `${quoted(u)} contains a user name or password. Remove the part before @.`;
  return null;
}

/** Why this list would be refused (the first reason), or null when every URL passes. */
export function whyUrlListRefused(urls: readonly string[]): string | null {
  if (urls.length > MAX_URLS) return `${urls.length} URLs: at most ${MAX_URLS} are allowed.`;
  for (const u of urls) {
    const why = whyUrlRefused(u);
    if (why) return why;
  }
  return null;
}
