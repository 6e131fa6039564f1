import type { BadgeTone } from '../components/Badge.tsx';

const DAY = 86_400_000;
/** Within this many days an expiry deserves attention (amber). */
export const EXPIRY_WARNING_DAYS = 30;

export function expiryBadge(expiresAt: string | null, now = Date.now()): { tone: BadgeTone; text: string } | null {
  if (!expiresAt) return null;
  const ms = Date.parse(expiresAt) - now;
  if (Number.isNaN(ms)) return null;
  if (ms <= 0) return { tone: 'danger', text: 'Expired' };
  const days = Math.ceil(ms / DAY);
  return { tone: days <= EXPIRY_WARNING_DAYS ? 'warning' : 'neutral', text: `Expires in ${days} ${days === 1 ? 'day' : 'days'}` };
}

export const isExpired = (expiresAt: string | null, now = Date.now()) => expiresAt !== null && Date.parse(expiresAt) <= now;

/**
 * A date picked in the browser means "valid through that day" where the user is, so it becomes
 * the last second of that local day, sent as an ISO instant (the API requires a time zone).
 */
export function endOfLocalDayIso(date: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return null;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 23, 59, 59, 0);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** The local calendar date of an instant, as a date input wants it. */
export function localDateInput(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export const tomorrowInput = () => localDateInput(new Date(Date.now() + DAY).toISOString());
