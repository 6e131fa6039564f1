import type { FastifyError, FastifyReply } from 'fastify';
import { SignetError, ClientAuthError, InvalidInputError, OAuthRequestError, RateLimitedError, ServiceUnavailableError } from '../domain/errors.ts';

/** Errors that tell the caller when to come back (429, 503) say so in Retry-After (seconds). */
export function retryAfter(reply: FastifyReply, err: unknown): void {
  if (err instanceof RateLimitedError || err instanceof ServiceUnavailableError) reply.header('retry-after', String(err.retryAfterSeconds));
}

export interface OAuthErrorBody {
  error: string;
  error_description: string;
}

/** RFC 6749 §5.2 mapping for the Authentication API. Returns null for errors that are not ours to describe (→ 500). */
export function oauthErrorBody(err: unknown): { status: number; body: OAuthErrorBody } | null {
  const mapped = mapOAuthError(err);
  if (mapped) mapped.body.error_description = descriptionChars(mapped.body.error_description);
  return mapped;
}

/** RFC 6749 §5.2: error_description is limited to %x20-21 / %x23-5B / %x5D-7E (no `"`, no `\`, ASCII only). */
function descriptionChars(s: string): string {
  return s.replace(/"/g, "'").replace(/\\/g, '/').replace(/[^\x20-\x7E]/g, '?');
}

function mapOAuthError(err: unknown): { status: number; body: OAuthErrorBody } | null {
  if (err instanceof ClientAuthError) return { status: 401, body: { error: 'invalid_client', error_description: err.message } };
  if (err instanceof OAuthRequestError) return { status: err.status, body: { error: err.error, error_description: err.message } };
  if (err instanceof ServiceUnavailableError) return { status: 503, body: { error: 'temporarily_unavailable', error_description: err.message } };
  const fe = err as FastifyError;
  if (fe && fe.validation) return { status: 400, body: { error: 'invalid_request', error_description: `Invalid request: ${fe.message}` } };
  if (fe && (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || fe.statusCode === 413)) {
    return { status: 413, body: { error: 'invalid_request', error_description: 'Request body too large.' } };
  }
  if (fe && (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || fe.statusCode === 415)) {
    return { status: 400, body: { error: 'invalid_request', error_description: 'Send application/x-www-form-urlencoded or application/json.' } };
  }
  if (fe && fe.statusCode === 400) return { status: 400, body: { error: 'invalid_request', error_description: fe.message } };
  return null;
}

export interface ManagementErrorBody {
  statusCode: number;
  error: string;
  message: string;
  errorCode: string;
  /** Signet extension: the request field the problem is about, so a form can show it there. */
  field?: string;
}

const STATUS: Record<SignetError['kind'], number> = {
  bad_input: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unauthorized: 401,
  client_auth: 401,
  rate_limited: 429,
  unavailable: 503,
  oauth_request: 400,
};
const PHRASE: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 429: 'Too Many Requests', 503: 'Service Unavailable' };

/** Our stable codes for the request-level errors Fastify raises (its own codes are an implementation detail). */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
};

/** Auth0's Management API error shape `{statusCode, error, message, errorCode}`. */
export function managementErrorBody(err: unknown): ManagementErrorBody | null {
  if (err instanceof SignetError) {
    const status = err instanceof OAuthRequestError ? err.status : STATUS[err.kind];
    const field = err instanceof InvalidInputError ? err.field : undefined;
    return { statusCode: status, error: PHRASE[status] ?? 'Error', message: err.message, errorCode: err.code, ...(field && { field }) };
  }
  const fe = err as FastifyError;
  if (fe && fe.validation) {
    // An unknown field is named, as Auth0 does, so it is never a guess which one was refused.
    const v = fe.validation[0];
    const unknown = v?.keyword === 'additionalProperties' ? String((v.params as { additionalProperty?: unknown }).additionalProperty).slice(0, 100) : undefined;
    if (unknown !== undefined) {
      const path = v!.instancePath ? `${v!.instancePath.slice(1).replace(/\//g, '.')}.${unknown}` : unknown;
      return { statusCode: 400, error: 'Bad Request', message: `Payload validation error: 'Additional properties not allowed: ${path}'.`, errorCode: 'invalid_body', field: path.split('.')[0] };
    }
    return { statusCode: 400, error: 'Bad Request', message: `Payload validation error: ${fe.message}`, errorCode: 'invalid_body' };
  }
  if (fe && typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { statusCode: fe.statusCode, error: PHRASE[fe.statusCode] ?? 'Error', message: fe.message, errorCode: FASTIFY_CODES[fe.code] ?? 'invalid_request' };
  }
  return null;
}
