import type { TenantSettings } from './tenant-settings.ts';

/**
 * Auth0's defaults for a tenant that set nothing: a login session lasts at most 7 days
 * (`session_lifetime` 168 hours, "Require log in after") and ends after 3 days without use
 * (`idle_session_lifetime` 72 hours, "Inactivity timeout").
 */
export const DEFAULT_SESSION_LIFETIME_HOURS = 168;
export const DEFAULT_IDLE_SESSION_LIFETIME_HOURS = 72;

export interface SessionLifetimes {
  absoluteMs: number;
  idleMs: number;
}

/**
 * The tenant's session lifetimes from its Auth0 settings (hours, or the `_in_minutes` form,
 * whichever was set last; the settings API keeps only one of each pair).
 */
export function sessionLifetimes(settings: TenantSettings): SessionLifetimes {
  const x = settings.extras ?? {};
  const pick = (hours: unknown, minutes: unknown, fallbackHours: number) =>
    typeof minutes === 'number' && minutes > 0 ? minutes * 60_000 : typeof hours === 'number' && hours > 0 ? Math.round(hours * 3600_000) : fallbackHours * 3600_000;
  return {
    absoluteMs: pick(x.session_lifetime, x.session_lifetime_in_minutes, DEFAULT_SESSION_LIFETIME_HOURS),
    idleMs: pick(x.idle_session_lifetime, x.idle_session_lifetime_in_minutes, DEFAULT_IDLE_SESSION_LIFETIME_HOURS),
  };
}
