/**
 * Failure helpers for client assertion checks.
 *
 * Contract: `fail` always throws a `ClientAuthError` (401 invalid_client) with a stable `code`
 * and a specific, caller-safe message (and, when the client's configuration explains the
 * failure, a `detail` naming it, which only the tenant sees). `show`/`describeType` render untrusted values for
 * those messages: printable ASCII only (`"` and `\` replaced), capped at 64 characters, so a
 * message can never carry control characters, key material or a whole assertion.
 */
import { ClientAuthError } from '../errors.ts';

/** `detail`: the message with the client's configuration named, for the tenant only (see ClientAuthError). */
export function fail(code: string, message: string, clientId?: string, detail?: string): never {
  const error = new ClientAuthError(code, message, detail);
  if (clientId !== undefined) error.clientId = clientId;
  throw error;
}

const MAX_SHOWN = 64;

/** A short untrusted string as `"value"`, sanitised and capped at 64 characters. */
export function show(value: string): string {
  const capped = value.length > MAX_SHOWN ? value.slice(0, MAX_SHOWN - 3) : value;
  let out = '';
  for (let i = 0; i < capped.length; i++) {
    const c = capped.charCodeAt(i);
    out += c >= 0x20 && c <= 0x7e && c !== 0x22 && c !== 0x5c ? capped[i] : '?';
  }
  return `"${out}${capped.length < value.length ? '...' : ''}"`;
}

/** What kind of JSON value was found, for "must be a string (got a number)" messages. */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return value.length === 0 ? 'an empty string' : 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

export function isoTime(epochMs: number): string {
  const d = new Date(epochMs);
  return Number.isNaN(d.getTime()) ? String(epochMs) : d.toISOString();
}

/** "5 minutes" / "90 seconds", for limits configured in seconds. */
export function duration(seconds: number): string {
  if (seconds % 60 === 0) {
    const m = seconds / 60;
    return `${m} minute${m === 1 ? '' : 's'}`;
  }
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
}
