import { OAuthRequestError } from './errors.ts';

/**
 * The scope a client-credentials token carries. Without a requested scope the client gets all
 * it was granted; with one, every requested value must be granted or the request fails (rather
 * than silently narrowing, which hides misconfiguration). Scopes the API no longer defines are
 * never issued.
 */
export function resolveScopes(requested: string | undefined, granted: ReadonlySet<string>, apiScopes: ReadonlySet<string>): string {
  if (requested === undefined || requested.trim() === '') {
    return [...granted].filter((s) => apiScopes.has(s)).join(' ');
  }
  const wanted = [...new Set(requested.split(' ').filter(Boolean))];
  const refused = wanted.filter((s) => !granted.has(s) || !apiScopes.has(s));
  if (refused.length) {
    throw new OAuthRequestError('invalid_scope', `Scope not granted to this client for this audience: ${refused.slice(0, 10).join(' ').slice(0, 300)}.`);
  }
  return wanted.join(' ');
}
