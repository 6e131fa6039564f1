import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Store } from '../store/index.ts';
import type { LoginSession } from '../store/login-sessions.ts';
import type { LoginTransaction } from '../store/login-transactions.ts';
import type { TenantContext } from './tenant-directory.ts';
import {
  AuthorizeError,
  checkClientAndRedirect,
  parseAuthorizeRequest,
  type AuthorizationRequest,
  type AuthorizeApi,
  type AuthorizeClient,
} from '../domain/authorize-request.ts';
import { sessionLifetimes } from '../domain/login-session-lifetime.ts';
import { digestOf, newAuthorizationCode, authorizationCodeHash, newOpaqueToken } from '../domain/opaque-token.ts';
import { randomBase62 } from '../domain/ids.ts';

/** An authorization code is redeemable this long (RFC 6749 §4.1.2 recommends at most 10 minutes; Signet keeps it short). */
export const CODE_LIFETIME_MS = 60_000;
/** How long a user has to sign in once /authorize sent them to the login page. */
export const LOGIN_TRANSACTION_LIFETIME_MS = 30 * 60_000;
/** A login session's last_seen_at and idle expiry are written at most this often (not on every /authorize). */
const TOUCH_EVERY_MS = 60_000;
/** Applications remembered per session (each got a code in it); bounded so the row cannot grow without end. */
const MAX_SESSION_CLIENTS = 50;

/**
 * The authorization side of browser sign-in: validating /authorize requests, login sessions
 * (single sign-on across one tenant's applications), login transactions bound to the browser
 * that began them, and issuing authorization codes. No HTTP here: the routes map cookies and
 * parameters in and pages or redirects out.
 */
export class Authorization {
  private readonly csrfKey: Buffer;

  constructor(
    private readonly store: Store,
    masterKey: Buffer,
  ) {
    // A key of its own, derived from the master key, so CSRF tokens share nothing with other MACs.
    this.csrfKey = createHmac('sha256', masterKey).update('signet-login-csrf-key').digest();
  }

  async client(tenantId: string, clientId: string | undefined): Promise<AuthorizeClient | undefined> {
    if (!clientId) return undefined;
    const c = await this.store.clients.get(tenantId, clientId);
    if (!c) return undefined;
    const allowedLogoutUrls = c.extras.allowed_logout_urls;
    return {
      clientId: c.clientId,
      name: c.name,
      appType: c.appType,
      tokenEndpointAuthMethod: c.tokenEndpointAuthMethod,
      privateKeyJwt: c.privateKeyJwt,
      grantTypes: c.grantTypes,
      callbacks: c.callbacks,
      extras: { ...c.extras, allowed_logout_urls: Array.isArray(allowedLogoutUrls) ? allowedLogoutUrls : [] },
    };
  }

  /**
   * Validates an authorization request (query parameters, or those of a pushed request). Throws
   * AuthorizeError: non-redirectable until the client and redirect_uri are known good.
   */
  async validate(tenant: TenantContext, params: Readonly<Record<string, string>>, opts: { pushed: boolean } = { pushed: false }): Promise<{ client: AuthorizeClient; request: AuthorizationRequest }> {
    const client = await this.client(tenant.tenant.id, params.client_id);
    const redirectUri = checkClientAndRedirect(params, client);
    const requested = params.audience ?? null;
    const defaultAudience = tenant.tenant.settings.extras?.default_audience;
    const identifier = requested ?? (typeof defaultAudience === 'string' && defaultAudience ? defaultAudience : null);
    let api = identifier === null ? undefined : await this.api(tenant.tenant.id, identifier);
    // A default_audience that names no API (or the Management API) is not the user's doing: no audience then.
    if (requested === null && api?.isSystem) api = undefined;
    const request = parseAuthorizeRequest(params, client!, redirectUri, { requested, api }, opts);
    return { client: client!, request };
  }

  private async api(tenantId: string, identifier: string): Promise<AuthorizeApi | undefined> {
    const rs = await this.store.resourceServers.find(tenantId, identifier);
    if (!rs || rs.identifier !== identifier) return undefined;
    return {
      identifier: rs.identifier,
      scopes: new Set(rs.scopes.map((s) => s.value)),
      isSystem: rs.isSystem,
      allowOfflineAccess: rs.extras.allow_offline_access === true,
    };
  }

  // --- login sessions -----------------------------------------------------------------------

  /** The live login session behind a session cookie value, on this tenant only. */
  async session(tenantId: string, cookieToken: string | undefined, now: number): Promise<LoginSession | undefined> {
    if (!cookieToken || cookieToken.length > 128) return undefined;
    return this.store.loginSessions.find(tenantId, digestOf(cookieToken), now);
  }

  /** A new login session for a user who just entered their password; the old one (if any) ends, so a planted cookie cannot be promoted. */
  async startSession(tenant: TenantContext, userId: string, previousToken: string | undefined, now: number): Promise<{ token: string; session: LoginSession; maxAgeSeconds: number }> {
    if (previousToken && previousToken.length <= 128) await this.store.loginSessions.delete(tenant.tenant.id, digestOf(previousToken));
    const { absoluteMs, idleMs } = sessionLifetimes(tenant.tenant.settings);
    const token = newOpaqueToken();
    const session: LoginSession = {
      tenantId: tenant.tenant.id,
      sid: randomBase62(32),
      userId,
      authTime: now,
      createdAt: now,
      lastSeenAt: now,
      idleExpiresAt: now + Math.min(idleMs, absoluteMs),
      expiresAt: now + absoluteMs,
      clientIds: [],
    };
    await this.store.loginSessions.insert(digestOf(token), session);
    return { token, session, maxAgeSeconds: Math.floor(absoluteMs / 1000) };
  }

  /** Ends the session behind a cookie; returns it (for the log event) when there was one. */
  async endSession(tenantId: string, cookieToken: string | undefined, now: number): Promise<LoginSession | undefined> {
    const s = await this.session(tenantId, cookieToken, now);
    if (cookieToken && cookieToken.length <= 128) await this.store.loginSessions.delete(tenantId, digestOf(cookieToken));
    return s;
  }

  // --- login transactions -------------------------------------------------------------------

  /** Keeps a validated request while the user signs in; only the browser holding `browserToken` may continue it. */
  async beginTransaction(tenantId: string, request: AuthorizationRequest, browserToken: string, now: number): Promise<string> {
    const id = newOpaqueToken();
    await this.store.loginTransactions.insert({
      id,
      tenantId,
      clientId: request.clientId,
      browserHash: digestOf(browserToken),
      request: JSON.stringify(request),
      authenticatedSid: null,
      createdAt: now,
      expiresAt: now + LOGIN_TRANSACTION_LIFETIME_MS,
    });
    return id;
  }

  /** The transaction, if it exists on this tenant, is unexpired and was begun by this browser. */
  async transaction(tenantId: string, id: string | undefined, browserToken: string | undefined, now: number): Promise<{ txn: LoginTransaction; request: AuthorizationRequest } | undefined> {
    if (!id || id.length > 64 || !browserToken || browserToken.length > 128) return undefined;
    const txn = await this.store.loginTransactions.find(tenantId, id, now);
    if (!txn || !sameString(txn.browserHash, digestOf(browserToken))) return undefined;
    return { txn, request: JSON.parse(txn.request) as AuthorizationRequest };
  }

  markAuthenticated(tenantId: string, txnId: string, sid: string): Promise<void> {
    return this.store.loginTransactions.markAuthenticated(tenantId, txnId, sid);
  }

  /** Ends the transaction; true only for the one request that did (a transaction yields one code). */
  finishTransaction(tenantId: string, txnId: string): Promise<boolean> {
    return this.store.loginTransactions.take(tenantId, txnId);
  }

  /** The login form's CSRF token: a MAC of the transaction and the browser cookie, so it is valid only with both. */
  csrfToken(txnId: string, browserToken: string): string {
    return createHmac('sha256', this.csrfKey).update(`${txnId}\u0000${browserToken}`).digest('base64url');
  }

  csrfMatches(txnId: string, browserToken: string, presented: unknown): boolean {
    return typeof presented === 'string' && sameString(this.csrfToken(txnId, browserToken), presented);
  }

  // --- pushed authorization requests (RFC 9126) ------------------------------------------

  /** Keeps a client's pushed parameters; returns the random part of its request_uri. */
  async pushRequest(tenantId: string, clientId: string, params: Record<string, string>, now: number, lifetimeMs: number): Promise<string> {
    const ref = newOpaqueToken();
    await this.store.pushedRequests.insert(digestOf(ref), { tenantId, clientId, request: JSON.stringify(params), createdAt: now, expiresAt: now + lifetimeMs });
    return ref;
  }

  /** The pushed parameters, used up as they are read; undefined when unknown, expired, used or another client's. */
  async takePushedRequest(tenantId: string, clientId: string, ref: string, now: number): Promise<Record<string, string> | undefined> {
    if (ref.length === 0 || ref.length > 128) return undefined;
    const json = await this.store.pushedRequests.take(tenantId, clientId, digestOf(ref), now);
    return json === undefined ? undefined : (JSON.parse(json) as Record<string, string>);
  }

  // --- codes --------------------------------------------------------------------------------

  /** Issues the code for a request the session satisfies, and records the session's use by the application. */
  async issueCode(tenant: TenantContext, request: AuthorizationRequest, session: LoginSession, sessionToken: string, now: number): Promise<string> {
    const code = newAuthorizationCode();
    await this.store.authorizationCodes.insert(authorizationCodeHash(code), {
      tenantId: tenant.tenant.id,
      clientId: request.clientId,
      userId: session.userId,
      redirectUri: request.redirectUri,
      scope: request.scope,
      audience: request.audience,
      nonce: request.nonce,
      codeChallenge: request.codeChallenge,
      sid: session.sid,
      authTime: session.authTime,
      expiresAt: now + CODE_LIFETIME_MS,
    });
    const newClient = !session.clientIds.includes(request.clientId);
    if (newClient || now - session.lastSeenAt >= TOUCH_EVERY_MS) {
      const { idleMs } = sessionLifetimes(tenant.tenant.settings);
      const clientIds = newClient ? [...session.clientIds, request.clientId].slice(-MAX_SESSION_CLIENTS) : session.clientIds;
      await this.store.loginSessions.touch(tenant.tenant.id, digestOf(sessionToken), now, Math.min(now + idleMs, session.expiresAt), clientIds);
    }
    return code;
  }
}

/** Constant-time comparison of two strings (different lengths compare unequal, also in constant time for the shorter). */
export function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  if (x.length !== y.length) {
    timingSafeEqual(x, x);
    return false;
  }
  return timingSafeEqual(x, y);
}

export { AuthorizeError };
