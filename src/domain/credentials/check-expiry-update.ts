/**
 * The rule for PATCH on a credential, where `expires_at` is the only mutable field.
 *
 * Contract: `checkExpiryUpdate(expiresAt, ctx)` returns the new expiry — a Date, or `null` for
 * "never expires" — or throws `InvalidInputError` (field `expires_at`):
 * - `expires_at_required` when the field is absent (`undefined`): treating a missing field as
 *   "never expires" would silently lift an expiry;
 * - `invalid_expires_at` when it is not an ISO 8601 date-time with a time zone;
 * - `expires_at_in_past` when it is not after `ctx.now`;
 * - `expires_after_certificate` when it is later than the certificate's `notAfter`
 *   (`ctx.certNotAfter`, null for bare public keys).
 * `null` is accepted even for certificate credentials: it removes the explicit expiry, and the
 * certificate's own notAfter (stored as certNotAfter) still bounds when the key may be used,
 * may be enabled, and what the Management API reports as `expires_at` (see effectiveExpiry).
 */
import { InvalidInputError } from '../errors.ts';
import { assertNotAfterCertificate, readFutureExpiry } from './expires-at.ts';

export interface ExpiryUpdateContext {
  now: Date;
  certNotAfter: Date | null;
}

export function checkExpiryUpdate(expiresAt: string | null | undefined, ctx: ExpiryUpdateContext): Date | null {
  if (expiresAt === undefined) {
    throw new InvalidInputError(
      'expires_at_required',
      'expires_at is required: an ISO 8601 date-time, or null for a credential that never expires.',
      'expires_at',
    );
  }
  if (expiresAt === null) return null;
  const date = readFutureExpiry(expiresAt, ctx.now);
  assertNotAfterCertificate(date, ctx.certNotAfter);
  return date;
}
