/**
 * The rules for a credential's `expires_at`, shared by create and PATCH.
 *
 * Contract:
 * - `parseDateTime(text)` accepts an RFC 3339 / ISO 8601 date-time with an explicit offset
 *   (`2027-01-31T23:59:59Z`, `…+02:00`, optional fraction) and returns the instant, or `null`
 *   for anything else. The offset is required because a credential expiring at "local midnight"
 *   of an unknown zone is a bug waiting to happen, and calendar dates are checked exactly
 *   (Date.parse would turn 2027-02-30 into March 2nd).
 * - `readFutureExpiry(value, now)` throws `invalid_expires_at` for a non-string or unparsable
 *   value and `expires_at_in_past` when the instant is not after `now`.
 * - `assertNotAfterCertificate(expiresAt, certNotAfter)` throws `expires_after_certificate` when
 *   the credential would outlive its certificate.
 * - `effectiveExpiry(expiresAt, certNotAfter)` is when the credential stops verifying: the
 *   earlier of its explicit expiry and its certificate's notAfter, or null when it has neither.
 *   Clearing `expires_at` never lifts a certificate's own end.
 * All errors use field `expires_at`.
 */
import { InvalidInputError } from '../errors.ts';

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

export function parseDateTime(text: string): Date | null {
  const m = DATE_TIME.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i])) as [
    number, number, number, number, number, number,
  ];
  const millis = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return null;
  if (day < 1 || day > daysInMonth(year, month)) return null;
  let offsetMinutes = 0;
  if (!m[8]) {
    const offsetHours = Number(m[10]);
    const offsetMins = Number(m[11]);
    if (offsetHours > 23 || offsetMins > 59) return null;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  // setUTCFullYear, unlike Date.UTC, does not map years 0..99 to 1900..1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  date.setTime(date.getTime() - offsetMinutes * 60_000);
  return date;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export function readFutureExpiry(value: unknown, now: Date): Date {
  const date = typeof value === 'string' ? parseDateTime(value) : null;
  if (!date) {
    throw new InvalidInputError(
      'invalid_expires_at',
      'expires_at must be an ISO 8601 date-time with a time zone, e.g. 2027-01-31T23:59:59Z.',
      'expires_at',
    );
  }
  if (date.getTime() <= now.getTime()) {
    throw new InvalidInputError(
      'expires_at_in_past',
      `expires_at must be in the future; ${date.toISOString()} is not after now (${now.toISOString()}).`,
      'expires_at',
    );
  }
  return date;
}

export function assertNotAfterCertificate(expiresAt: Date, certNotAfter: Date | null): void {
  if (certNotAfter === null || expiresAt.getTime() <= certNotAfter.getTime()) return;
  throw new InvalidInputError(
    'expires_after_certificate',
    `expires_at (${expiresAt.toISOString()}) is later than the certificate's expiry (${certNotAfter.toISOString()}); a credential cannot outlive its certificate.`,
    'expires_at',
  );
}

export function effectiveExpiry(expiresAt: number | null, certNotAfter: number | null): number | null {
  if (expiresAt === null) return certNotAfter;
  if (certNotAfter === null) return expiresAt;
  return Math.min(expiresAt, certNotAfter);
}
