/**
 * One typed error family for the whole domain. Each error carries a stable machine `code`
 * (tests and log consumers match on it) and a human `message` that is safe to show to the
 * caller: it never contains key material, secrets or assertion bytes.
 *
 * The HTTP layer maps the class to a status and wire shape; the domain never knows HTTP.
 */
export abstract class SignetError extends Error {
  abstract readonly kind: ErrorKind;
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export type ErrorKind =
  | 'bad_input'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'unauthorized'
  | 'client_auth'
  | 'rate_limited'
  | 'unavailable'
  | 'oauth_request';

/** Input that cannot be accepted as given (400 on the Management API). */
export class InvalidInputError extends SignetError {
  readonly kind = 'bad_input';
  /** Which request field the problem is about, when there is one (the dashboard shows it there). */
  constructor(code: string, message: string, readonly field?: string) {
    super(code, message);
  }
}

/** The caller is known but the tenant's plan or the application type does not allow the operation (403). */
export class ForbiddenError extends SignetError {
  readonly kind = 'forbidden';
}

export class NotFoundError extends SignetError {
  readonly kind = 'not_found';
}

export class ConflictError extends SignetError {
  readonly kind = 'conflict';
}

/** Management API caller not authenticated (401). */
export class UnauthorizedError extends SignetError {
  readonly kind = 'unauthorized';
}

/** Too many attempts (429): the caller must wait `retryAfterSeconds`. */
export class RateLimitedError extends SignetError {
  readonly kind = 'rate_limited';
  constructor(code: string, message: string, readonly retryAfterSeconds: number) {
    super(code, message);
  }
}

/** The part of the system a request could not reach: named to the caller and in /readyz. */
export type StorePart = 'database' | 'replay store';

/**
 * A store the request needs is unreachable or timed out (503): nothing was written and nothing
 * issued. The message names the part and a short reason (never the driver's text, which can
 * carry host names and SQL); the caller should retry after `retryAfterSeconds`.
 */
export class ServiceUnavailableError extends SignetError {
  readonly kind = 'unavailable';
  readonly retryAfterSeconds = 1;
  constructor(readonly part: StorePart, readonly reason: string) {
    super(`${part.replace(' ', '_')}_unavailable`, `The ${part} is unavailable (${reason}); nothing was changed. Try again shortly.`);
  }
}

/**
 * A tenant user's sign-in was refused (the hosted login page). `code` says why, for the log
 * event's reason; the page shows one generic message for `unknown_user` and `wrong_password`,
 * so whether an email exists is never shown (Auth0 logs them as `fu` and `fp`; `blocked` as `f`).
 */
export class UserSignInError extends SignetError {
  readonly kind = 'unauthorized';
  constructor(
    override readonly code: 'unknown_user' | 'wrong_password' | 'blocked',
    message: string,
    /** The user the attempt was for, when the email exists (for the log event). */
    readonly userId?: string,
  ) {
    super(code, message);
  }
}

/**
 * Client authentication failed at an OAuth endpoint: 401 `invalid_client`. The message is the
 * `error_description` (specific and safe); `code` is what the log event records as the reason.
 *
 * The caller is not authenticated, so the message says which check failed and never what the
 * client is configured with (its credentials' kids, algs and expiry times, the tenant's plan,
 * the client's authentication method). When that configuration explains the failure, it goes
 * in `detail`, which only the tenant sees: in the log event and in the assertion checker.
 */
export class ClientAuthError extends SignetError {
  readonly kind = 'client_auth';
  /** The client the request claimed to be, when it could be read (for the log event). */
  clientId?: string;
  /** Its name, when it exists on the tenant (for the log event). */
  clientName?: string;
  constructor(
    code: string,
    message: string,
    /** The message with the client's configuration named; for the tenant's eyes only. */
    readonly detail?: string,
  ) {
    super(code, message);
  }
}

/** A malformed OAuth request (RFC 6749 §5.2): `error` is the OAuth error code, status 400 unless given. */
export class OAuthRequestError extends SignetError {
  readonly kind = 'oauth_request';
  constructor(
    readonly error:
      | 'invalid_request'
      | 'unsupported_grant_type'
      | 'invalid_scope'
      | 'unauthorized_client'
      | 'access_denied'
      | 'invalid_grant',
    message: string,
    readonly status = 400,
  ) {
    super(error, message);
  }
}

/**
 * A refused grant (RFC 6749 §5.2): `invalid_grant` unless given, with a specific `reason` for the
 * log event, and the log type when it is not the grant's usual failure (a reused refresh token
 * is logged as Auth0's `ferrt`).
 */
export class GrantError extends OAuthRequestError {
  constructor(
    readonly reason: string,
    message: string,
    opts: { error?: 'invalid_grant' | 'invalid_request' | 'invalid_scope' | 'unauthorized_client'; logType?: string } = {},
  ) {
    super(opts.error ?? 'invalid_grant', message);
    this.logType = opts.logType;
  }
  readonly logType: string | undefined;
}
