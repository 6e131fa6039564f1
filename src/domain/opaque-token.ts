import { createHash, randomBytes } from 'node:crypto';

/**
 * Opaque bearer values handed to browsers and clients (authorization codes, login-session
 * cookies, PAR request_uris): 256 random bits, base64url. Only `digestOf(value)` is stored,
 * so reading the database does not hand out a usable code or session.
 */
export const newOpaqueToken = (): string => randomBytes(32).toString('base64url');

/** SHA-256, base64url: the stored form of an opaque token (a lookup key, compared by the database). */
export const digestOf = (value: string): string => createHash('sha256').update(value).digest('base64url');

/** A new authorization code (what the client receives) — its store key is `digestOf(code)`. */
export const newAuthorizationCode = newOpaqueToken;
export const authorizationCodeHash = digestOf;
