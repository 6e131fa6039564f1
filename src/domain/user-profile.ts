/**
 * Rules for a tenant user's profile fields, as Auth0 applies them to a database connection's
 * users. Pure: the service calls these before anything is written.
 */
import { InvalidInputError } from './errors.ts';

/** Each tenant has exactly one database connection, under Auth0's default name. */
export const DATABASE_CONNECTION = 'Username-Password-Authentication';

/** Refuses any connection but the tenant's database connection, naming the one given. */
export function checkConnection(connection: unknown): asserts connection is string {
  if (connection !== DATABASE_CONNECTION) {
    const given = typeof connection === 'string' ? `"${connection.slice(0, 100)}"` : String(connection);
    throw new InvalidInputError(
      'invalid_body',
      `The connection ${given} does not exist. Each tenant has one database connection: ${DATABASE_CONNECTION}.`,
      'connection',
    );
  }
}

export const EMAIL_MAX_LENGTH = 254;

/**
 * Checks an email as given (stored as sent) and returns the key it is unique and looked up
 * under: trimmed and lower-cased, so `Jo@Example.com` and `jo@example.com ` are one account.
 */
export function emailKey(email: unknown): string {
  const bad = (why: string): never => {
    throw new InvalidInputError('invalid_body', `Payload validation error: email ${why}.`, 'email');
  };
  if (typeof email !== 'string') return bad('must be a string');
  const key = email.trim().toLowerCase();
  if (key.length === 0 || key.length > EMAIL_MAX_LENGTH) return bad(`must be 1 to ${EMAIL_MAX_LENGTH} characters`);
  // One @, something on each side, a dot in the domain, no blanks or control characters. Linear.
  if (!/^[^\s@\x00-\x1f]+@[^\s@\x00-\x1f]+\.[^\s@\x00-\x1f]+$/.test(key)) return bad(`"${key.slice(0, 64)}" is not an email address`);
  return key;
}

/** The lookup key for an email typed at sign-in; never throws (a malformed email finds no one). */
export function signInEmailKey(email: unknown): string {
  // No stored email holds a NUL (and PostgreSQL refuses one in a text parameter).
  if (typeof email !== 'string' || email.includes('\u0000')) return '';
  return email.trim().toLowerCase().slice(0, EMAIL_MAX_LENGTH + 1);
}

/** Auth0's defaults when name/nickname are not given: the email, and the part before its @. */
export const defaultName = (email: string) => email.trim();
export const defaultNickname = (email: string) => email.trim().split('@')[0]!;

/** The custom id part of `user_id` on create (the result is `auth0|<part>`). */
export function checkUserIdPart(part: unknown): asserts part is string {
  if (typeof part !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(part)) {
    throw new InvalidInputError('invalid_body', 'user_id must be 1 to 64 letters, digits, "_", "-" or "."; Signet adds the "auth0|" prefix.', 'user_id');
  }
}

export type Metadata = Record<string, unknown>;

/** Each of user_metadata and app_metadata, as stored JSON, is at most this many bytes (Auth0's 16 KB). */
export const METADATA_MAX_BYTES = 16 * 1024;
const METADATA_MAX_DEPTH = 10;

/**
 * Merges a PATCH's metadata into the stored one as Auth0 does: top-level keys are replaced
 * one by one (nested objects are not merged), a key set to null is removed, and `{}` clears
 * everything. The result is checked like a new value.
 */
export function mergeMetadata(current: Metadata, patch: Metadata, field: 'user_metadata' | 'app_metadata'): Metadata {
  if (Object.keys(patch).length === 0) return {};
  const out: Metadata = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return checkMetadata(out, field);
}

/**
 * Auth0's rules for metadata: an object whose field names contain neither `.` nor `$`, at
 * most 16 KB as JSON. Returns it unchanged.
 */
export function checkMetadata(value: unknown, field: 'user_metadata' | 'app_metadata'): Metadata {
  const refuse = (why: string): never => {
    throw new InvalidInputError('invalid_body', `${field} ${why}`, field);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return refuse('must be an object.');
  const bytes = Buffer.byteLength(JSON.stringify(value), 'utf8');
  if (bytes > METADATA_MAX_BYTES) return refuse(`is ${bytes} bytes as JSON; the limit is ${METADATA_MAX_BYTES} (16 KB).`);
  // Size is bounded first, so this walk is bounded too.
  const walk = (v: unknown, depth: number, path: string): void => {
    if (typeof v !== 'object' || v === null) return;
    if (depth > METADATA_MAX_DEPTH) refuse(`nests deeper than ${METADATA_MAX_DEPTH} levels (at ${path.slice(0, 100)}).`);
    if (Array.isArray(v)) return v.forEach((x, i) => walk(x, depth + 1, `${path}[${i}]`));
    for (const [k, x] of Object.entries(v)) {
      if (k.includes('.') || k.includes('$')) refuse(`field names may not contain "." or "$": "${k.slice(0, 64)}" does.`);
      walk(x, depth + 1, path ? `${path}.${k}` : k);
    }
  };
  walk(value, 1, '');
  return value as Metadata;
}
