/** Display helpers shared by several screens. */
import type { AppType, CredentialType, Plan } from './api.ts';

export const PLAN_LABELS: Record<Plan, string> = {
  free: 'Free',
  essentials: 'Essentials',
  professional: 'Professional',
  enterprise: 'Enterprise',
  enterprise_plus: 'Enterprise Plus',
};

export const planLabel = (plan: string) => PLAN_LABELS[plan as Plan] ?? plan;

export const APP_TYPE_LABELS: Record<AppType, string> = {
  regular_web: 'Regular Web Application',
  non_interactive: 'Machine to Machine',
  spa: 'Single Page Application',
  native: 'Native',
};

export const appTypeLabel = (t: string) => APP_TYPE_LABELS[t as AppType] ?? t;

/** Confidential applications run on a backend that can keep a secret or a private key. */
export const isConfidential = (t: string) => t === 'regular_web' || t === 'non_interactive';

export const credentialTypeLabel = (t: CredentialType | string) => (t === 'x509_cert' ? 'Certificate' : 'Public Key');

const dateFmt = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
// "1 Mar 2027, 14:05" in the reader's locale and time zone: people read minutes, not seconds or ISO.
const dateTimeFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateFmt.format(d);
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTimeFmt.format(d);
}

export const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
