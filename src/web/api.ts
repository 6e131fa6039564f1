/**
 * The dashboard's only door to the server: the session endpoints under /dashboard/api and the
 * Management API v2 under /api/v2, both same-origin JSON. Every failure becomes an ApiError
 * carrying the server's message (and the request field it is about, when the server names one),
 * so screens can show it where it belongs without knowing HTTP.
 */

import { humanMessage } from './messages.ts';

export type Plan = 'free' | 'essentials' | 'professional' | 'enterprise' | 'enterprise_plus';

export interface Session {
  email: string;
  csrf_token: string;
}

export interface Tenant {
  name: string;
  plan: Plan;
  domain: string;
  issuer: string;
  token_endpoint: string;
  private_key_jwt_allowed: boolean;
}

export type AppType = 'regular_web' | 'non_interactive' | 'spa' | 'native';
export type SecretMethod = 'none' | 'client_secret_post' | 'client_secret_basic';

export interface Client {
  client_id: string;
  tenant: string;
  name: string;
  description: string;
  app_type: AppType;
  token_endpoint_auth_method: SecretMethod | null;
  client_authentication_methods?: { private_key_jwt: { credentials: { id: string }[] } };
  client_secret?: string;
  grant_types: string[];
  /** Allowed Callback URLs: where /authorize may send the browser back with a code. */
  callbacks: string[];
  /** Allowed Logout URLs: where logout may send the browser afterwards (absent until set). */
  allowed_logout_urls?: string[];
  created_at: string | null;
  updated_at: string | null;
}

export type CredentialType = 'public_key' | 'x509_cert';

export interface Credential {
  id: string;
  name: string;
  kid: string;
  alg: string;
  credential_type: CredentialType;
  subject_dn?: string;
  thumbprint_sha256?: string;
  created_at: string | null;
  updated_at: string | null;
  expires_at: string | null;
  last_used_at: string | null;
}

export interface NewCredential {
  credential_type: CredentialType;
  name: string;
  pem: string;
  alg: string;
  expires_at?: string;
  parse_expiry_from_cert?: boolean;
}

export interface Scope {
  value: string;
  description: string;
}

export interface ResourceServer {
  id: string;
  name: string;
  identifier: string;
  scopes: Scope[];
  signing_alg: string;
  token_lifetime: number;
  is_system: boolean;
}

/** A user of the tenant's database connection (GET /api/v2/users). */
export interface User {
  user_id: string;
  email: string;
  email_verified: boolean;
  name: string;
  nickname: string;
  blocked?: boolean;
  created_at: string;
  updated_at: string;
  last_login?: string;
  last_ip?: string;
  logins_count: number;
  user_metadata: Record<string, unknown>;
  app_metadata: Record<string, unknown>;
}

export interface ClientGrant {
  id: string;
  client_id: string;
  audience: string;
  scope: string[];
}

export type AudiencePolicy = 'strict' | 'legacy';

/** GET/PATCH /api/v2/tenants/settings: the tenant's own facts and Signet's per-tenant knobs. */
export interface TenantSettings {
  friendly_name: string;
  plan: Plan;
  issuer: string;
  audience_policy: AudiencePolicy;
  max_assertion_lifetime: number;
  clock_skew: number;
  log_retention_days: number;
}

/** GET /api/v2/tenants/settings/legacy-audience-clients: applications that relied on the legacy policy lately. */
export interface LegacyAudienceClients {
  audience_policy: AudiencePolicy;
  since: string;
  clients: { client_id: string; name: string; last_legacy_audience_at: string }[];
}

/** An entry of the platform audit log (GET /dashboard/api/audit). */
export interface AuditEvent {
  id: string;
  date: string;
  type: string;
  email: string | null;
  ip: string | null;
  user_agent: string | null;
  reason: string | null;
  via: 'dashboard' | 'cli';
}

export interface LogEvent {
  log_id: string;
  date: string;
  type: string;
  description: string;
  client_id: string | null;
  client_name: string | null;
  ip?: string | null;
  user_agent?: string | null;
  hostname?: string;
  audience?: string;
  scope?: string;
  /** The actor of a Management API call: the calling application (`{client_id}@clients`) or the dashboard admin. */
  user_id?: string;
  user_name?: string;
  details: unknown;
}

export interface AssertionCheck {
  id: string;
  label: string;
  status: 'pass' | 'fail' | 'skipped';
  message: string;
}

export interface AssertionReport {
  ok: boolean;
  checks: AssertionCheck[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    /** The request field the problem is about, when the server says. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Narrows anything thrown to an ApiError, so screens only ever show a server message or a plain fallback. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return new ApiError(0, 'client_error', err instanceof Error && err.message ? err.message : 'Something went wrong. Try again.');
}

async function send<T>(url: string, init: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'network_error', 'Could not reach the Signet server. Check your connection and try again.');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const b = (body ?? {}) as { message?: unknown; errorCode?: unknown; field?: unknown; error?: unknown };
    const message = typeof b.message === 'string' && b.message ? b.message : `The server answered ${res.status}${typeof b.error === 'string' ? ` (${b.error})` : ''}.`;
    const errorCode = typeof b.errorCode === 'string' ? b.errorCode : 'http_' + res.status;
    throw new ApiError(res.status, errorCode, humanMessage(errorCode, message), typeof b.field === 'string' ? b.field : undefined);
  }
  return body as T;
}

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' };

export const sessionApi = {
  /** The current session, or null when nobody is signed in. */
  async current(): Promise<Session | null> {
    try {
      return await send<Session>('/dashboard/api/session', { method: 'GET', headers: { accept: 'application/json' } });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return null;
      throw err;
    }
  },
  signIn(email: string, password: string): Promise<Session> {
    return send<Session>('/dashboard/api/session', { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ email, password }) });
  },
  signOut(csrf: string): Promise<void> {
    return send<void>('/dashboard/api/session', { method: 'DELETE', headers: { 'x-csrf-token': csrf } });
  },
  tenants(csrf: string): Promise<Tenant[]> {
    return send<Tenant[]>('/dashboard/api/tenants', { method: 'GET', headers: { ...JSON_HEADERS, 'x-csrf-token': csrf } });
  },
  audit(csrf: string, limit: number): Promise<AuditEvent[]> {
    return send<AuditEvent[]>(`/dashboard/api/audit?limit=${limit}`, { method: 'GET', headers: { accept: 'application/json', 'x-csrf-token': csrf } });
  },
};

/**
 * Management API v2 calls for one tenant, authenticated by the session cookie. The tenant and
 * CSRF headers go on every call (GET included) because the server checks them uniformly; a 401 means the
 * session is gone, which the app handles once, centrally, by showing the sign-in page.
 */
export class ManagementApi {
  constructor(
    readonly tenant: string,
    private readonly csrf: string,
    private readonly onSessionEnded: () => void,
  ) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    try {
      // content-type only with a body: Fastify refuses an empty body declared as JSON (e.g. on DELETE).
      const headers: Record<string, string> = { accept: 'application/json', 'x-signet-tenant': this.tenant, 'x-csrf-token': this.csrf };
      if (body !== undefined) headers['content-type'] = 'application/json';
      return await send<T>('/api/v2' + path, { method, headers, ...(body !== undefined && { body: JSON.stringify(body) }) });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) this.onSessionEnded();
      throw err;
    }
  }

  get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }
  post<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('POST', path, body);
  }
  patch<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('PATCH', path, body);
  }
  delete(path: string): Promise<void> {
    return this.call<void>('DELETE', path);
  }

  /**
   * Every item of a Management API list, read 100 at a time (the server pages every list, as
   * Auth0 does, and answers 50 items when not told otherwise). `path` may carry filters.
   */
  async listAll<T>(path: string): Promise<T[]> {
    const all: T[] = [];
    const sep = path.includes('?') ? '&' : '?';
    for (let page = 0; page < 1000; page++) {
      const batch = await this.get<T[]>(`${path}${sep}per_page=100&page=${page}`);
      all.push(...batch);
      if (batch.length < 100) break;
    }
    return all;
  }

  /** Every application of the tenant. */
  listClients(): Promise<Client[]> {
    return this.listAll<Client>('/clients');
  }
}

/** `/clients/{id}` style path segment. */
export const seg = (s: string) => encodeURIComponent(s);
