import type { TenantContext } from '../tenant-directory.ts';
import type { AuthenticatedClient } from '../client-auth/index.ts';

/** A token request's body: every value a string (the form parser and the JSON schema ensure it). */
export type TokenParams = Readonly<Record<string, string | undefined>>;

/** Who asked, for log events. */
export interface RequestOrigin {
  ip: string;
  userAgent: string | null;
  hostname: string;
}

export interface TokenRequest {
  tenant: TenantContext;
  params: TokenParams;
  client: AuthenticatedClient;
  origin: RequestOrigin;
  now: number;
}

/** RFC 6749 §5.1, plus OIDC's id_token. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope?: string;
  id_token?: string;
  refresh_token?: string;
}

/** What the success log event records beyond the client and its authentication. */
export interface GrantLog {
  audience: string | null;
  scope: string | null;
  userId?: string;
  userName?: string;
  details: Record<string, unknown>;
}

export interface GrantOutcome {
  response: TokenResponse;
  log: GrantLog;
}

/** A JSON-schema property of a token request parameter (all are strings). */
export interface ParameterSchema {
  type: 'string';
  maxLength?: number;
}

/**
 * One grant type of the token endpoint. The route only dispatches: it authenticates the client
 * (as `publicClients` allows), checks the client may use `type`, calls `exchange`, and writes
 * `logTypes.success` or `logTypes.failure` with the reason.
 */
export interface Grant {
  readonly type: string;
  /** Body parameters this grant reads, besides grant_type and client authentication. */
  readonly parameters: Readonly<Record<string, ParameterSchema>>;
  /** Whether a public client (SPA, native) may use it, authenticating by client_id alone. */
  readonly publicClients: boolean;
  /** Auth0's log event types and the success event's description. */
  readonly logTypes: { readonly success: string; readonly failure: string; readonly description: string };
  exchange(req: TokenRequest): Promise<GrantOutcome>;
}
