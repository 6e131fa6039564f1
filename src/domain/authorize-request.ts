import { isPublicClient } from './app-types.ts';
import { isRegistered } from './redirect-url.ts';

/**
 * A refused authorization request. `redirectable` errors go back to the client's redirect_uri
 * (RFC 6749 §4.1.2.1); the others (unknown client, unregistered redirect_uri, malformed
 * request) are shown to the user and never redirected, since the destination is not trusted.
 */
export class AuthorizeError extends Error {
  constructor(
    readonly error: string,
    message: string,
    readonly redirectable: boolean,
  ) {
    super(message);
    this.name = 'AuthorizeError';
  }
}

/** What /authorize reads of an application. */
export interface AuthorizeClient {
  clientId: string;
  name: string;
  appType: string;
  tokenEndpointAuthMethod: string | null;
  privateKeyJwt: boolean;
  grantTypes: readonly string[];
  callbacks: readonly string[];
  extras: Record<string, unknown>;
}

/** What /authorize reads of the API named by `audience`. */
export interface AuthorizeApi {
  identifier: string;
  scopes: ReadonlySet<string>;
  isSystem: boolean;
  allowOfflineAccess: boolean;
}

export type ResponseMode = 'query' | 'form_post';

/** A validated authorization request, kept while the user signs in and turned into a code after. */
export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  responseMode: ResponseMode;
  state: string | null;
  nonce: string | null;
  /** What will be granted: the OIDC scopes Signet serves and the API's own scopes, space-separated. */
  scope: string;
  audience: string | null;
  codeChallenge: string | null;
  /** `none`: never show a page; `login`: always show it. */
  prompt: 'none' | 'login' | null;
  /** Seconds; a session authenticated longer ago than this signs in again. */
  maxAge: number | null;
  loginHint: string | null;
}

/** The OpenID Connect scopes Signet serves (address and phone: Signet holds no such claims). */
export const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;

/** Upper bounds on parameters (anything longer is refused before any work is done). */
export const AUTHORIZE_PARAM_LIMITS: Readonly<Record<string, number>> = {
  response_type: 64,
  client_id: 128,
  redirect_uri: 2048,
  scope: 2048,
  state: 2048,
  nonce: 512,
  audience: 600,
  code_challenge: 128,
  code_challenge_method: 16,
  prompt: 128,
  max_age: 10,
  response_mode: 32,
  login_hint: 320,
  request_uri: 256,
  request: 16384,
};
/** Any other parameter (connection, ui_locales, ...): accepted and ignored, but bounded. */
export const OTHER_PARAM_LIMIT = 2048;
export const MAX_AUTHORIZE_PARAMS = 40;

const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const DIGITS = /^[0-9]{1,10}$/;

/**
 * The checks that decide whether errors may be redirected at all: the client exists and the
 * redirect_uri is one of its callbacks, compared as exact strings. Throws a non-redirectable
 * AuthorizeError otherwise.
 */
export function checkClientAndRedirect(params: Readonly<Record<string, string>>, client: AuthorizeClient | undefined): string {
  if (!params.client_id) throw new AuthorizeError('invalid_request', 'The client_id parameter is missing.', false);
  if (!client) throw new AuthorizeError('invalid_client', `There is no application with the client_id "${params.client_id}" on this tenant.`, false);
  const redirectUri = params.redirect_uri;
  if (!redirectUri) {
    throw new AuthorizeError('invalid_request', `The redirect_uri parameter is missing. It must be one of the Allowed Callback URLs of the application "${client.name}".`, false);
  }
  if (!isRegistered(client.callbacks, redirectUri)) {
    throw new AuthorizeError(
      'invalid_request',
      `The redirect_uri "${redirectUri}" is not one of the Allowed Callback URLs of the application "${client.name}". URLs are compared exactly.`,
      false,
    );
  }
  return redirectUri;
}

/** response_mode, read before any other check so that their errors are delivered the way the client asked. */
export function readResponseMode(params: Readonly<Record<string, string>>): ResponseMode {
  return params.response_mode === 'form_post' ? 'form_post' : 'query';
}

/**
 * Every other rule of an authorization request (RFC 6749 §4.1.1, RFC 7636, OIDC Core
 * §3.1.2.1), for a client and redirect_uri already checked. `api` is the API named by
 * `audience` (or the tenant's default_audience), undefined when there is no such API.
 *
 * Scope: the OIDC scopes Signet serves pass; `offline_access` only when the application may
 * use the refresh_token grant (and, with an audience, the API allows offline access); a value
 * defined as a scope of the audience's API passes for that API; every other value is dropped
 * (RFC 6749 §3.3 lets the server grant less; the token response's `scope` says what was granted).
 */
export function parseAuthorizeRequest(
  params: Readonly<Record<string, string>>,
  client: AuthorizeClient,
  redirectUri: string,
  audience: { requested: string | null; api: AuthorizeApi | undefined },
  opts: { pushed: boolean } = { pushed: false },
): AuthorizationRequest {
  const fail = (error: string, message: string): never => {
    throw new AuthorizeError(error, message, true);
  };
  if (params.request_uri !== undefined && opts.pushed) fail('invalid_request', 'request_uri cannot be pushed: send the authorization parameters themselves to /oauth/par.');
  if (params.request !== undefined) fail('request_not_supported', 'Signed request objects (the request parameter, JAR) are not supported; send the parameters in the query or push them to /oauth/par.');
  const responseMode = params.response_mode;
  if (responseMode !== undefined && responseMode !== 'query' && responseMode !== 'form_post') {
    fail('invalid_request', `response_mode "${responseMode}" is not supported; use query (the default) or form_post.`);
  }
  if (!params.response_type) fail('invalid_request', 'The response_type parameter is missing; use code.');
  if (params.response_type !== 'code') {
    fail('unsupported_response_type', `response_type "${params.response_type}" is not supported; Signet implements the authorization code flow only (response_type=code).`);
  }
  if (!client.grantTypes.includes('authorization_code')) {
    fail('unauthorized_client', `The application "${client.name}" is not allowed the authorization_code grant (see its grant_types).`);
  }

  let codeChallenge: string | null = null;
  const method = params.code_challenge_method;
  if (params.code_challenge !== undefined) {
    if (method === undefined || method === 'plain') {
      fail('invalid_request', 'code_challenge_method must be S256 (plain is not accepted, and it is the default when the method is left out).');
    }
    if (method !== 'S256') fail('invalid_request', `code_challenge_method "${method}" is not supported; use S256.`);
    if (!S256_CHALLENGE.test(params.code_challenge)) {
      fail('invalid_request', 'code_challenge must be the base64url SHA-256 of the code verifier: 43 characters of A-Z a-z 0-9 - _.');
    }
    codeChallenge = params.code_challenge;
  } else if (method !== undefined) {
    fail('invalid_request', 'code_challenge_method was sent without a code_challenge.');
  }
  // Public clients (the token endpoint's rule) cannot keep a secret, so their code must be bound by PKCE.
  if (codeChallenge === null && isPublicClient(client)) {
    fail('invalid_request', 'A code_challenge (PKCE, S256) is required: this application is a public client, so its code must be bound to a verifier only it holds.');
  }
  if (client.extras.require_pushed_authorization_requests === true && !opts.pushed) {
    fail('invalid_request', 'This application requires pushed authorization requests: push the parameters to /oauth/par and send only client_id and request_uri.');
  }

  let prompt: AuthorizationRequest['prompt'] = null;
  if (params.prompt !== undefined) {
    const values = new Set(params.prompt.split(' ').filter(Boolean));
    for (const v of values) {
      if (v !== 'none' && v !== 'login' && v !== 'consent' && v !== 'select_account') {
        fail('invalid_request', `prompt "${v}" is not supported; use none, login, consent or select_account.`);
      }
    }
    if (values.has('none') && values.size > 1) fail('invalid_request', 'prompt=none cannot be combined with other prompt values.');
    // consent: every application is first-party, so there is no consent to ask for (as on Auth0).
    // select_account: a browser holds one session per tenant, so there is no account to choose.
    prompt = values.has('none') ? 'none' : values.has('login') ? 'login' : null;
  }

  let maxAge: number | null = null;
  if (params.max_age !== undefined) {
    if (!DIGITS.test(params.max_age)) fail('invalid_request', 'max_age must be a number of seconds (a non-negative integer).');
    maxAge = Number(params.max_age);
  }

  const api = audience.api;
  if (audience.requested !== null) {
    if (!api) fail('invalid_request', `The audience "${audience.requested}" is not the identifier of an API on this tenant.`);
    if (api!.isSystem) fail('invalid_request', `The audience "${audience.requested}" is the Management API, whose tokens are for applications, not users; request a token for it with client credentials.`);
  }

  const requested = [...new Set((params.scope ?? '').split(' ').filter(Boolean))];
  const granted = requested.filter((s) => {
    if (s === 'offline_access') return client.grantTypes.includes('refresh_token') && (!api || api.allowOfflineAccess);
    if ((OIDC_SCOPES as readonly string[]).includes(s)) return true;
    return api !== undefined && api.scopes.has(s);
  });

  return {
    clientId: client.clientId,
    redirectUri,
    responseMode: readResponseMode(params),
    state: params.state ?? null,
    nonce: params.nonce ?? null,
    scope: granted.join(' '),
    audience: api ? api.identifier : null,
    codeChallenge,
    prompt,
    maxAge,
    loginHint: params.login_hint ?? null,
  };
}

/** Whether a session authenticated at `authTime` must sign in again for this request. */
export function needsLogin(req: Pick<AuthorizationRequest, 'prompt' | 'maxAge'>, authTime: number | undefined, now: number): boolean {
  if (authTime === undefined) return true;
  if (req.prompt === 'login') return true;
  return req.maxAge !== null && now - authTime > req.maxAge * 1000;
}
