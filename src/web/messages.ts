/**
 * Server refusals in words for people. The Management API speaks to programs (Auth0's wording,
 * field names, ISO instants); the dashboard shows what happened and what to do instead. Codes
 * without a sentence here keep the server's message, with its instants written as local dates.
 */
import { formatDateTime } from './format.ts';

const SENTENCES: Record<string, string> = {
  too_many_enabled_credentials: 'Only 2 credentials can be enabled at once. Disable one before enabling another.',
  credential_in_use: 'This credential is enabled, so it cannot be deleted. Disable it first, then delete it.',
  too_many_credentials: 'This application already has 4 credentials, the most allowed. Delete one before adding another.',
  credential_expired: 'This credential has expired, so it cannot be enabled. Add a new credential instead.',
  duplicate_credential: 'This public key is already a credential of this application. The same key cannot be added twice.',
  credential_not_found: 'This credential no longer exists. Reload the page to see the current list.',
  private_key_jwt_active: 'This application uses Private Key JWT. Choose another method under Authentication Methods to switch away from it.',
};

/** An ISO 8601 instant as the API writes them (bounded, linear-time pattern). */
const ISO_INSTANT = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})/g;

export function humanMessage(errorCode: string, message: string): string {
  return SENTENCES[errorCode] ?? message.replace(ISO_INSTANT, (iso) => formatDateTime(iso));
}
