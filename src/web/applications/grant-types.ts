/**
 * The grants an application may be allowed, as the Grant Types card offers them: only those
 * Signet's token endpoint implements (the server refuses any other name). Client Credentials
 * is offered to confidential applications only: it is the application acting on its own
 * behalf, which needs a backend that can keep a secret or a private key.
 */
import type { AppType } from '../api.ts';
import { isConfidential } from '../format.ts';

export interface GrantOption {
  type: string;
  label: string;
  hint: string;
}

export const GRANT_OPTIONS: readonly GrantOption[] = [
  { type: 'authorization_code', label: 'Authorization Code', hint: 'Signs users in: the browser comes back to an Allowed Callback URL with a code to exchange.' },
  { type: 'refresh_token', label: 'Refresh Token', hint: 'Keeps users signed in: a refresh token (asked for with the offline_access scope) gets new tokens.' },
  { type: 'client_credentials', label: 'Client Credentials', hint: 'The application gets tokens for itself, with no user, for the APIs it is authorized for.' },
];

/** The grants offered for this type of application. */
export const grantOptionsFor = (appType: AppType | string): GrantOption[] =>
  GRANT_OPTIONS.filter((g) => g.type !== 'client_credentials' || isConfidential(appType));

/**
 * The grant_types to save: the checked offered grants in the card's order, and any stored grant
 * the card does not offer kept as it is (the card never removes what it does not show).
 */
export function grantTypesToSave(stored: readonly string[], offered: readonly GrantOption[], checked: ReadonlySet<string>): string[] {
  const offeredTypes = new Set(offered.map((g) => g.type));
  return [...offered.filter((g) => checked.has(g.type)).map((g) => g.type), ...stored.filter((t) => !offeredTypes.has(t))];
}

/** Whether two grant lists allow the same grants (their order means nothing). */
export const sameGrants = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((t) => b.includes(t));
