import type { StoredCredential, ResourceServer, ClientGrant } from '../../store/index.ts';
import type { StoredLogEvent } from '../../store/logs.ts';
import type { ClientView } from '../../services/clients.ts';
import { effectiveExpiry } from '../../domain/credentials/index.ts';
import type { User } from '../../services/users.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * Auth0's `ClientCredential`: never the PEM. `expires_at` is when the credential stops
 * verifying, so a certificate without an explicit expiry shows its notAfter, not "never".
 */
export function presentCredential(c: StoredCredential) {
  return {
    id: c.id,
    name: c.name,
    kid: c.kid,
    alg: c.alg,
    credential_type: c.credentialType,
    ...(c.subjectDn !== null && { subject_dn: c.subjectDn }),
    ...(c.thumbprintSha256 !== null && { thumbprint_sha256: c.thumbprintSha256 }),
    created_at: iso(c.createdAt),
    updated_at: iso(c.updatedAt),
    expires_at: iso(effectiveExpiry(c.expiresAt, c.certNotAfter)),
    last_used_at: iso(c.lastUsedAt),
  };
}

/** Auth0's client: its descriptive fields as sent, then Signet's own (which always win). */
export function presentClient(view: ClientView, tenantName: string, opts: { secret?: string } = {}) {
  const c = view.client;
  const { jwt_configuration: jwt, ...extras } = c.extras;
  return {
    ...extras,
    client_id: c.clientId,
    tenant: tenantName,
    name: c.name,
    description: c.description,
    app_type: c.appType,
    is_first_party: true,
    token_endpoint_auth_method: c.tokenEndpointAuthMethod,
    ...(c.privateKeyJwt && {
      client_authentication_methods: { private_key_jwt: { credentials: view.enabledCredentialIds.map((id) => ({ id })) } },
    }),
    ...(opts.secret !== undefined && { client_secret: opts.secret }),
    grant_types: c.grantTypes,
    callbacks: c.callbacks,
    allowed_origins: c.allowedOrigins,
    jwt_configuration: { ...(jwt as object | undefined), alg: c.jwtAlg },
    created_at: iso(c.createdAt),
    updated_at: iso(c.updatedAt),
  };
}

/** Auth0's resource server: its descriptive fields as sent, then Signet's own; the HS256 secret as Auth0 returns it. */
export function presentResourceServer(rs: ResourceServer, signingSecret: string | undefined) {
  return {
    ...rs.extras,
    id: rs.id,
    name: rs.name,
    identifier: rs.identifier,
    scopes: rs.scopes,
    signing_alg: rs.signingAlg,
    ...(signingSecret !== undefined && { signing_secret: signingSecret }),
    token_lifetime: rs.tokenLifetime,
    is_system: rs.isSystem,
  };
}

export function presentClientGrant(g: ClientGrant) {
  return { ...g.extras, id: g.id, client_id: g.clientId, audience: g.audience, scope: g.scope, is_system: false };
}

/** The fields of a presented log event (what `fields` may name). */
export const LOG_FIELDS = [
  'log_id', '_id', 'date', 'type', 'description', 'client_id', 'client_name', 'ip', 'user_agent',
  'hostname', 'audience', 'scope', 'user_id', 'user_name', 'details',
] as const;

/** A log event in Auth0's shape; fields an event does not have are left out, as Auth0 does, except the four it always had. */
export function presentLog(e: StoredLogEvent): Record<string, unknown> {
  return {
    log_id: e.id,
    _id: e.id,
    date: new Date(e.date).toISOString(),
    type: e.type,
    description: e.description,
    client_id: e.clientId,
    client_name: e.clientName,
    ip: e.ip,
    user_agent: e.userAgent,
    ...(e.hostname !== null && { hostname: e.hostname }),
    ...(e.audience !== null && { audience: e.audience }),
    ...(e.scope !== null && { scope: e.scope }),
    ...(e.userId !== null && { user_id: e.userId }),
    ...(e.userName !== null && { user_name: e.userName }),
    details: e.details,
  };
}

/**
 * Auth0's user: one database identity, no password or hash ever. `picture` is left out: Auth0
 * points it at a Gravatar URL built from the email's hash, which would send every viewer's
 * browser to a third party; SDKs treat it as optional. `blocked` appears only when true, and
 * `last_login`/`last_ip` once there has been a login, as on Auth0.
 */
export function presentUser(u: User) {
  const bar = u.userId.indexOf('|');
  return {
    user_id: u.userId,
    email: u.email,
    email_verified: u.emailVerified,
    name: u.name,
    nickname: u.nickname,
    created_at: iso(u.createdAt),
    updated_at: iso(u.updatedAt),
    identities: [{ connection: u.connection, provider: bar > 0 ? u.userId.slice(0, bar) : 'auth0', user_id: u.userId.slice(bar + 1), isSocial: false }],
    user_metadata: u.userMetadata,
    app_metadata: u.appMetadata,
    ...(u.blocked && { blocked: true }),
    ...(u.lastLogin !== null && { last_login: iso(u.lastLogin), last_ip: u.lastIp }),
    logins_count: u.loginsCount,
  };
}
