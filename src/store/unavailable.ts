import { ServiceUnavailableError, type StorePart } from '../domain/errors.ts';

/**
 * Driver errors that mean "the store cannot be reached right now" (as opposed to a bug or a
 * constraint the data enforces), with the short reason told to the caller. Such a request is
 * answered 503 and may be retried; anything else stays a 500 and is logged in full.
 */
const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection lost',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
};

/** PostgreSQL SQLSTATEs of a server shutting down, starting up or out of connections. */
const POSTGRES_CODES: Record<string, string> = {
  '57P01': 'server shutting down',
  '57P02': 'server crashed',
  '57P03': 'server starting up',
  '53300': 'too many connections',
  '57014': 'query cancelled (timeout)',
};

/** SQLite result codes of a database that is locked or whose disk failed. */
const SQLITE_PREFIXES: [string, string][] = [
  ['SQLITE_BUSY', 'database locked'],
  ['SQLITE_IOERR', 'disk I/O error'],
  ['SQLITE_FULL', 'disk full'],
  ['SQLITE_CANTOPEN', 'cannot open the database file'],
];

/** Messages some drivers throw without a code (pg's pool and client, ioredis). */
const MESSAGES: [RegExp, string][] = [
  [/^Connection terminated/, 'connection lost'],
  [/timeout exceeded when trying to connect/, 'timed out connecting'],
  [/^Query read timeout/, 'timed out'],
  [/^Client has encountered a connection error/, 'connection lost'],
  [/^Connection is closed/, 'connection lost'],
  [/^Command timed out/, 'timed out'],
  [/Stream isn't writeable/, 'not connected'],
  [/^Reached the max retries per request limit/, 'not connected'],
];

/** The reason `err` says the store is unreachable, or null when it is some other failure. */
export function unavailableReason(err: unknown): string | null {
  if (!err || typeof err !== 'object') return null;
  if (err instanceof ServiceUnavailableError) return err.reason;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NETWORK_CODES[code]) return NETWORK_CODES[code]!;
    if (POSTGRES_CODES[code]) return POSTGRES_CODES[code]!;
    if (/^08/.test(code) && code.length === 5) return 'connection failure';
    for (const [prefix, reason] of SQLITE_PREFIXES) if (code.startsWith(prefix)) return reason;
  }
  const message = (err as { message?: unknown }).message;
  if (typeof message === 'string') for (const [re, reason] of MESSAGES) if (re.test(message)) return reason;
  // AggregateError (several addresses refused, e.g. localhost as ::1 and 127.0.0.1).
  const errors = (err as { errors?: unknown }).errors;
  if (Array.isArray(errors) && errors.length > 0) return unavailableReason(errors[0]);
  return null;
}

/** Rethrows `err` as a ServiceUnavailableError naming `part` when it is an outage; as is otherwise. */
export function rethrowUnavailable(part: StorePart, err: unknown): never {
  if (err instanceof ServiceUnavailableError) throw err;
  const reason = unavailableReason(err);
  if (reason) throw new ServiceUnavailableError(part, reason);
  throw err;
}
