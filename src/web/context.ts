/**
 * What every screen needs to know about who is signed in and which tenant it is looking at,
 * provided once by the app shell instead of being threaded through every component.
 */
import { createContext, useContext } from 'react';
import type { ManagementApi, Tenant } from './api.ts';

export interface SessionInfo {
  email: string;
  tenants: Tenant[];
  signOut: () => void;
}

export interface TenantInfo {
  tenant: Tenant;
  api: ManagementApi;
}

export const SessionContext = createContext<SessionInfo | null>(null);
export const TenantContext = createContext<TenantInfo | null>(null);

export function useSession(): SessionInfo {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in app');
  return s;
}

export function useTenant(): TenantInfo {
  const t = useContext(TenantContext);
  if (!t) throw new Error('useTenant outside a tenant page');
  return t;
}
