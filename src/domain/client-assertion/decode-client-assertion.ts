/**
 * decodeClientAssertion: steps 1–2 of client assertion verification, with NO trust.
 *
 * Contract: given the raw `client_assertion` form value, either returns a `DecodedAssertion`
 * whose shape the verifier can rely on, or throws `ClientAuthError` with one of:
 * - `assertion_too_large`  more than `policy.maxAssertionBytes` bytes;
 * - `malformed_assertion`  not a JWS compact serialization (3 base64url parts; a 5-part JWE is
 *   named as such), header/payload not UTF-8 JSON objects, empty signature, `crit` present,
 *   `kid` not a string, `exp`/`iat`/`nbf` present but not a NumericDate;
 * - `alg_missing`, `alg_too_long` (> 16 chars), `alg_none`, `alg_symmetric` (HS*),
 *   `alg_unsupported` (not in `ASSERTION_SIGNING_ALGS`);
 * - `typ_invalid`          `typ` present but not a string (its value is checked after the signature);
 * - `iss_missing`, `sub_missing`, `iss_too_long`, `sub_too_long` (> 64 chars), `iss_sub_mismatch`;
 * - `jti_missing` (absent, or not a non-empty string), `jti_too_long` (> 64 chars).
 * The string is read by `readAssertionParts` (shared with the dashboard's checker), then the
 * header and claims are judged; nothing here consults keys or state. Errors raised after `iss`
 * is established carry `clientId`. Nothing in the result is authenticated yet: only
 * `verifyClientAssertion` makes it so.
 */
import type { AssertionPolicy } from './policy.ts';
import type { AssertionHeader, DecodedAssertion } from './types.ts';
import { describeType, fail, show } from './failure.ts';
import { splitCompactJws } from './split-compact-jws.ts';
import { ASSERTION_SIGNING_ALGS, isAssertionSigningAlg } from './verify-jws-signature.ts';

const MAX_ALG_LENGTH = 16;
const MAX_ID_LENGTH = 64;
const SUPPORTED_ALGS = ASSERTION_SIGNING_ALGS.join(', ');
/** Fatal: invalid UTF-8 is malformed, not silently replaced. BOM kept, so JSON.parse refuses it. */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function decodeClientAssertion(assertion: string, policy: AssertionPolicy): DecodedAssertion {
  const { header, payload, signingInput, signature } = readAssertionParts(assertion, policy);

  checkAlg(header.alg);
  checkHeaderMembers(header);
  if (header.typ !== undefined && typeof header.typ !== 'string') {
    fail('typ_invalid', `'typ' header parameter must be a string when present (got ${describeType(header.typ)})`);
  }

  const iss = payload.iss;
  const sub = payload.sub;
  checkIdentifier('iss', iss, 'the client_id of the application');
  checkIdentifier('sub', sub, "the client_id of the application (the same as 'iss')");
  if (iss !== sub) {
    fail('iss_sub_mismatch', `'iss' and 'sub' claims must both be the client_id (got 'iss' ${show(iss)} and 'sub' ${show(sub)})`);
  }
  const clientId = iss;

  checkJti(payload.jti, clientId);
  checkNumericDate('exp', payload.exp, clientId);
  checkNumericDate('iat', payload.iat, clientId);
  checkNumericDate('nbf', payload.nbf, clientId);

  checkSignaturePresent(signature, clientId);

  return { header: header as AssertionHeader, payload, clientId, signingInput, signature };
}

/** An assertion's parts, decoded but not judged: nothing here has been checked but the encoding. */
export interface AssertionParts {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: Buffer;
  /** Empty for an unsigned JWT (`alg: none`): refused by `checkSignaturePresent`, after the alg is reported. */
  signature: Buffer;
}

/**
 * The one way an assertion string is read, by the token endpoint (through
 * `decodeClientAssertion`) and by the dashboard's checker alike, so the two cannot disagree
 * about what a string is: a non-empty string of at most `policy.maxAssertionBytes` bytes, taken
 * exactly as sent (no trimming: the endpoint refuses surrounding whitespace, so the checker
 * must too), in JWS compact serialization with a JSON object as header and as payload.
 */
export function readAssertionParts(assertion: string, policy: AssertionPolicy): AssertionParts {
  if (typeof assertion !== 'string' || assertion.length === 0) {
    fail('malformed_assertion', 'client_assertion must be a non-empty string');
  }
  const max = policy.maxAssertionBytes;
  if (assertion.length > max || Buffer.byteLength(assertion, 'utf8') > max) {
    fail('assertion_too_large', `client_assertion is ${Buffer.byteLength(assertion, 'utf8')} bytes; the maximum is ${max} bytes`);
  }
  const { first, second } = splitCompactJws(assertion);
  return {
    header: decodeJsonObject(assertion.slice(0, first), 'header'),
    payload: decodeJsonObject(assertion.slice(first + 1, second), 'payload'),
    signingInput: Buffer.from(assertion.slice(0, second), 'latin1'),
    signature: Buffer.from(assertion.slice(second + 1), 'base64url'),
  };
}

/** Header members other than `alg` and `typ` that must be understood: no `crit`, a string `kid`. */
export function checkHeaderMembers(header: Record<string, unknown>): void {
  if (header.crit !== undefined) {
    fail('malformed_assertion', "'crit' header parameter is not supported: no JWS extensions are understood here");
  }
  if (header.kid !== undefined && typeof header.kid !== 'string') {
    fail('malformed_assertion', `'kid' header parameter must be a string (got ${describeType(header.kid)})`);
  }
}

export function checkSignaturePresent(signature: Buffer, clientId?: string): void {
  if (signature.length === 0) {
    fail('malformed_assertion', 'client_assertion signature part is empty: the JWT must be signed with the private key', clientId);
  }
}

export function decodeJsonObject(part: string, name: 'header' | 'payload'): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(UTF8.decode(Buffer.from(part, 'base64url')));
  } catch {
    fail('malformed_assertion', `client_assertion ${name} is not valid UTF-8 JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail('malformed_assertion', `client_assertion ${name} must be a JSON object (got ${describeType(value)})`);
  }
  return value as Record<string, unknown>;
}

export function checkAlg(alg: unknown): asserts alg is string {
  if (alg === undefined) {
    fail('alg_missing', `'alg' header parameter is required: the algorithm the assertion is signed with (${SUPPORTED_ALGS})`);
  }
  if (typeof alg !== 'string' || alg.length === 0) {
    fail('alg_missing', `'alg' header parameter must be a non-empty string (got ${describeType(alg)})`);
  }
  if (alg.length > MAX_ALG_LENGTH) {
    fail('alg_too_long', `'alg' header parameter must be at most ${MAX_ALG_LENGTH} characters (got ${alg.length})`);
  }
  if (alg.length === 4 && alg.toLowerCase() === 'none') {
    fail('alg_none', `'alg' ${show(alg)} (an unsigned JWT) is not accepted: the assertion must be signed with the application's private key`);
  }
  const c0 = alg.charCodeAt(0) | 0x20;
  const c1 = alg.charCodeAt(1) | 0x20;
  if (c0 === 0x68 && c1 === 0x73) {
    // "HS…" in any case: HMAC with a shared secret is client_secret_jwt, never private_key_jwt.
    fail(
      'alg_symmetric',
      `'alg' ${show(alg)} is a symmetric (HMAC) algorithm: private_key_jwt requires an asymmetric signature made with the private key matching a public key uploaded for the application (${SUPPORTED_ALGS})`,
    );
  }
  if (!isAssertionSigningAlg(alg)) {
    fail('alg_unsupported', `'alg' ${show(alg)} is not supported for private_key_jwt; use one of ${SUPPORTED_ALGS}`);
  }
}

export function checkIdentifier(claim: 'iss' | 'sub', value: unknown, expected: string): asserts value is string {
  if (value === undefined) fail(`${claim}_missing`, `'${claim}' claim is required: ${expected}`);
  if (typeof value !== 'string' || value.length === 0) {
    fail(`${claim}_missing`, `'${claim}' claim must be a non-empty string, ${expected} (got ${describeType(value)})`);
  }
  if (value.length > MAX_ID_LENGTH) {
    fail(`${claim}_too_long`, `'${claim}' claim must be at most ${MAX_ID_LENGTH} characters (got ${value.length})`);
  }
}

export function checkNumericDate(claim: 'exp' | 'iat' | 'nbf', value: unknown, clientId: string): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) {
    fail(
      'malformed_assertion',
      `'${claim}' claim must be a NumericDate, a number of seconds since 1970-01-01T00:00:00Z (got ${describeType(value)})`,
      clientId,
    );
  }
}

/** `jti` present, a non-empty string of at most 64 characters (`jti_missing`, `jti_too_long`). */
export function checkJti(jti: unknown, clientId: string): asserts jti is string {
  if (jti === undefined) {
    fail('jti_missing', "'jti' claim is required: a unique identifier for this assertion (a UUID is recommended), which can be used only once", clientId);
  }
  if (typeof jti !== 'string' || jti.length === 0) {
    fail('jti_missing', `'jti' claim must be a non-empty string (got ${describeType(jti)})`, clientId);
  }
  if (jti.length > MAX_ID_LENGTH) {
    fail('jti_too_long', `'jti' claim must be at most ${MAX_ID_LENGTH} characters (got ${jti.length})`, clientId);
  }
}
