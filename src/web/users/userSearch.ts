/**
 * The search box of the Users page, as a user search query (`q`, Auth0's v3 syntax): a whole
 * address finds that user, `@example.com` every user of a domain, anything else the emails
 * that start with it. A `*` typed at either end is kept as the wildcard it is.
 */
export function emailSearchQuery(input: string): string | null {
  const term = input.trim();
  if (!term) return null;
  const quoted = (v: string) => `email:"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  if (term.startsWith('*') || term.endsWith('*')) return quoted(term);
  if (term.startsWith('@')) return quoted(`*${term}`);
  if (/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(term)) return quoted(term);
  return quoted(`${term}*`);
}
