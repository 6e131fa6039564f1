/**
 * The server's credential rules, known to the dashboard so it can say "not possible, and why"
 * before a click instead of showing a refusal after it. The server stays the judge: these only
 * mirror MAX_ENABLED_CREDENTIALS (src/services/clients.ts), MAX_CREDENTIALS_PER_CLIENT
 * (src/domain/credentials/check-new-credential.ts) and the in-use and expiry checks.
 */
import type { Credential } from '../api.ts';
import { formatDateTime } from '../format.ts';
import { isExpired } from './expiry.ts';

/** Enabled for Private Key JWT at once (Auth0's limit: two, so keys rotate with overlap). */
export const MAX_ENABLED_CREDENTIALS = 2;
/** Credential records per application, enabled or not (Auth0's pool limit). */
export const MAX_CREDENTIALS_PER_CLIENT = 4;

/** Why this credential cannot be enabled right now, or null when it can. */
export function whyNotEnable(c: Credential, enabledIds: string[], pkjwtActive: boolean, now = Date.now()): string | null {
  if (isExpired(c.expires_at, now)) return `Expired on ${formatDateTime(c.expires_at)}, so it cannot be enabled. Add a new credential instead.`;
  if (pkjwtActive && enabledIds.length >= MAX_ENABLED_CREDENTIALS) {
    return `${MAX_ENABLED_CREDENTIALS} credentials are enabled, the most at once. Disable one to enable this one.`;
  }
  return null;
}

/** Why this credential cannot be deleted right now, or null when it can. */
export const whyNotDelete = (enabled: boolean): string | null =>
  enabled ? 'Enabled credentials cannot be deleted: disable it first, so no assertion signed with it is still expected to work.' : null;

/** Why no credential can be added, or null when one can. */
export const whyNotAdd = (count: number): string | null =>
  count >= MAX_CREDENTIALS_PER_CLIENT ? `This application has ${count} of ${MAX_CREDENTIALS_PER_CLIENT} credentials, the most allowed. Delete one to add another.` : null;
