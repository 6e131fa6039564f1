/**
 * A History API router small enough to read in one sitting: the URL is the only state, pages
 * are derived from it by parseRoute, and navigate() pushes (or replaces) an entry and notifies
 * subscribers. Back and forward arrive as popstate and go through the same path.
 */
import { useSyncExternalStore } from 'react';

export const BASE = '/dashboard';

export type AppTab = 'settings' | 'credentials' | 'apis';

export type Route =
  | { name: 'root' }
  | { name: 'applications'; tenant: string }
  | { name: 'application'; tenant: string; clientId: string; tab: AppTab }
  | { name: 'apis'; tenant: string }
  | { name: 'api'; tenant: string; id: string }
  | { name: 'users'; tenant: string }
  | { name: 'logs'; tenant: string }
  | { name: 'settings'; tenant: string }
  | { name: 'audit' }
  | { name: 'notFound'; tenant?: string };

const TABS: readonly AppTab[] = ['settings', 'credentials', 'apis'];

function decode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

export function parseRoute(pathname: string): Route {
  if (pathname !== BASE && !pathname.startsWith(BASE + '/')) return { name: 'notFound' };
  const parts = pathname.slice(BASE.length).split('/').filter(Boolean).map(decode);
  if (parts.some((p) => p === null)) return { name: 'notFound' };
  const [t, tenant, section, id, tab, ...rest] = parts as string[];
  if (t === undefined) return { name: 'root' };
  if (t === 'audit') return tenant === undefined ? { name: 'audit' } : { name: 'notFound' };
  if (t !== 't' || tenant === undefined) return { name: 'notFound' };
  if (section === undefined) return { name: 'applications', tenant };
  if (rest.length) return { name: 'notFound', tenant };
  switch (section) {
    case 'applications':
      if (id === undefined) return { name: 'applications', tenant };
      if (tab === undefined) return { name: 'application', tenant, clientId: id, tab: 'settings' };
      return (TABS as readonly string[]).includes(tab) ? { name: 'application', tenant, clientId: id, tab: tab as AppTab } : { name: 'notFound', tenant };
    case 'apis':
      if (id === undefined) return { name: 'apis', tenant };
      return tab === undefined ? { name: 'api', tenant, id } : { name: 'notFound', tenant };
    case 'users':
      return id === undefined ? { name: 'users', tenant } : { name: 'notFound', tenant };
    case 'logs':
      return id === undefined ? { name: 'logs', tenant } : { name: 'notFound', tenant };
    case 'settings':
      return id === undefined ? { name: 'settings', tenant } : { name: 'notFound', tenant };
    default:
      return { name: 'notFound', tenant };
  }
}

const e = encodeURIComponent;
export const paths = {
  root: () => `${BASE}/`,
  applications: (tenant: string) => `${BASE}/t/${e(tenant)}/applications`,
  application: (tenant: string, clientId: string, tab: AppTab = 'settings') => `${BASE}/t/${e(tenant)}/applications/${e(clientId)}/${tab}`,
  apis: (tenant: string) => `${BASE}/t/${e(tenant)}/apis`,
  api: (tenant: string, id: string) => `${BASE}/t/${e(tenant)}/apis/${e(id)}`,
  users: (tenant: string) => `${BASE}/t/${e(tenant)}/users`,
  logs: (tenant: string) => `${BASE}/t/${e(tenant)}/logs`,
  settings: (tenant: string) => `${BASE}/t/${e(tenant)}/settings`,
  audit: () => `${BASE}/audit`,
};

const listeners = new Set<() => void>();
function subscribe(fn: () => void) {
  listeners.add(fn);
  window.addEventListener('popstate', fn);
  return () => {
    listeners.delete(fn);
    window.removeEventListener('popstate', fn);
  };
}
const snapshot = () => window.location.pathname + window.location.search;

/** The current path and query string; re-renders on navigate() and on back/forward. */
export function useLocation(): { pathname: string; search: string } {
  const full = useSyncExternalStore(subscribe, snapshot);
  const i = full.indexOf('?');
  return i < 0 ? { pathname: full, search: '' } : { pathname: full.slice(0, i), search: full.slice(i) };
}

export interface NavigateOptions {
  replace?: boolean;
  /** A one-time message for the next page (e.g. "Application deleted."), kept in the history entry. */
  notice?: string;
}

export function navigate(to: string, opts: NavigateOptions = {}): void {
  const state = opts.notice ? { notice: opts.notice } : null;
  if (opts.replace) window.history.replaceState(state, '', to);
  else {
    if (to === snapshot() && !opts.notice) return;
    window.history.pushState(state, '', to);
    window.scrollTo(0, 0);
  }
  for (const fn of listeners) fn();
}

/** Reads and forgets the notice left by navigate(), so it shows once rather than on every back/forward. */
export function takeNotice(): string | null {
  const s = window.history.state as { notice?: unknown } | null;
  if (!s || typeof s.notice !== 'string') return null;
  window.history.replaceState(null, '');
  return s.notice;
}
