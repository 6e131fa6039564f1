/**
 * Escapes text for HTML element content and double-quoted attribute values. Everything a page
 * shows that came from outside (tenant and application names, login_hint, what the user
 * typed, error messages quoting a parameter) goes through this, so it can never become markup.
 */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
