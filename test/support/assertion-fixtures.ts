/**
 * Test fixtures for the client assertion specs (imported only by *.test.ts).
 *
 * `assertion()` builds an assertion that the default `context()` fully accepts: signed with
 * `keys.rsaA` under credential `cred_A` (kid `kid-A`, RS256), `iss = sub = CLIENT_ID`,
 * `aud = ISSUER`, `iat = NOW`, `exp = NOW + 60 s`, a fresh `jti`. Each test overrides exactly
 * the one thing it is about, so a broken check shows up as an accepted assertion.
 */
import assert from 'node:assert/strict';
import { constants, createHmac, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { ClientAuthError } from '../../src/domain/errors.ts';
import {
  DEFAULT_ASSERTION_POLICY,
  decodeClientAssertion,
  verifyClientAssertion,
  type AssertionPolicy,
  type CandidateCredential,
  type VerifiedAssertion,
  type VerifyAssertionContext,
} from '../../src/domain/client-assertion/index.ts';

export const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);
export const NOW_S = NOW / 1000;
export const ISSUER = 'https://acme.signet.test/';
export const TOKEN_ENDPOINT = 'https://acme.signet.test/oauth/token';
export const CLIENT_ID = 'k3Zq8wYp2LmN4vR6tB9xC1dF5gH7jK0s';

function pair(type: 'rsa' | 'ec' | 'ed25519' | 'ed448', namedCurve?: string) {
  const { publicKey, privateKey } =
    type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : type === 'ec'
        ? generateKeyPairSync('ec', { namedCurve: namedCurve! })
        : type === 'ed25519'
          ? generateKeyPairSync('ed25519')
          : generateKeyPairSync('ed448');
  return { publicKey, privateKey };
}

export const keys = {
  rsaA: pair('rsa'),
  rsaB: pair('rsa'),
  p256: pair('ec', 'P-256'),
  p384: pair('ec', 'P-384'),
  ed25519: pair('ed25519'),
  ed448: pair('ed448'),
};
export type KeyPair = (typeof keys)['rsaA'];

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** Sign `<b64 header>.<b64 payload>` exactly as RFC 7518 says for `alg` (HS* uses `secret`). */
export function signWith(alg: string, signingInput: string, key: KeyObject | Buffer | string): string {
  const data = Buffer.from(signingInput);
  const digest = `sha${alg.slice(2)}`;
  let signature: Buffer;
  if (alg.startsWith('HS')) signature = createHmac(digest, key as Buffer | string).update(data).digest();
  else if (alg.startsWith('RS')) signature = sign(digest, data, key as KeyObject);
  else if (alg.startsWith('PS')) {
    signature = sign(digest, data, { key: key as KeyObject, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 });
  } else if (alg.startsWith('ES')) signature = sign(digest, data, { key: key as KeyObject, dsaEncoding: 'ieee-p1363' });
  else if (alg === 'EdDSA') signature = sign(null, data, key as KeyObject);
  else if (alg === 'none') return '';
  else throw new Error(`fixture cannot sign ${alg}`);
  return signature.toString('base64url');
}

export function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = { iss: CLIENT_ID, sub: CLIENT_ID, aud: ISSUER, iat: NOW_S, exp: NOW_S + 60, jti: randomUUID() };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete base[k];
    else base[k] = v;
  }
  return base;
}

export interface AssertionSpec {
  /** Header members; `undefined` removes one. Default `{ alg: 'RS256', kid: 'kid-A' }`. */
  header?: Record<string, unknown>;
  /** Claims merged over `claims()`; `undefined` removes one. */
  payload?: Record<string, unknown>;
  /** Raw payload text instead of JSON claims. */
  rawPayload?: string;
  /** Signing alg when it differs from header.alg (e.g. to forge). */
  signAlg?: string;
  /** Default: keys.rsaA.privateKey. */
  key?: KeyObject | Buffer | string;
}

export function assertion(spec: AssertionSpec = {}): string {
  const header: Record<string, unknown> = { alg: 'RS256', kid: 'kid-A' };
  for (const [k, v] of Object.entries(spec.header ?? {})) {
    if (v === undefined) delete header[k];
    else header[k] = v;
  }
  const signingInput = `${b64(header)}.${spec.rawPayload !== undefined ? b64(spec.rawPayload) : b64(claims(spec.payload))}`;
  const alg = spec.signAlg ?? (typeof header.alg === 'string' ? header.alg : 'RS256');
  return `${signingInput}.${signWith(alg, signingInput, spec.key ?? keys.rsaA.privateKey)}`;
}

export function credential(overrides: Partial<CandidateCredential> = {}): CandidateCredential {
  return { id: 'cred_A', kid: 'kid-A', alg: 'RS256', key: keys.rsaA.publicKey, expiresAt: null, ...overrides };
}

export function context(overrides: Partial<Omit<VerifyAssertionContext, 'policy'>> & { policy?: Partial<AssertionPolicy> } = {}): VerifyAssertionContext {
  const { policy, ...rest } = overrides;
  return {
    credentials: [credential()],
    issuer: ISSUER,
    tokenEndpoint: TOKEN_ENDPOINT,
    now: NOW,
    ...rest,
    policy: { ...DEFAULT_ASSERTION_POLICY, ...policy },
  };
}

/** Decode and verify as the token endpoint would; returns the result or throws. */
export function authenticate(token: string, ctx: VerifyAssertionContext = context()): VerifiedAssertion {
  return verifyClientAssertion(decodeClientAssertion(token, ctx.policy), ctx);
}

export function accepts(token: string, ctx?: VerifyAssertionContext): VerifiedAssertion {
  return authenticate(token, ctx);
}

/** Asserts the whole pipeline refuses `token` with `code`; returns the error for message checks. */
export function rejects(token: string, code: string, ctx?: VerifyAssertionContext): ClientAuthError {
  return refusal(() => authenticate(token, ctx), code);
}

export function refusal(fn: () => unknown, code: string): ClientAuthError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught !== undefined, `expected ClientAuthError ${code}, but it was accepted`);
  assert.ok(caught instanceof ClientAuthError, `expected ClientAuthError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, `expected code ${code}, got ${caught.code}: ${caught.message}`);
  assert.equal(caught.kind, 'client_auth');
  assertSafeMessage(caught.message);
  return caught;
}

/** Messages are error_description material: printable ASCII, short, no key material. */
export function assertSafeMessage(message: string): void {
  assert.match(message, /^[\x20-\x7e]+$/, `message must be printable ASCII: ${JSON.stringify(message)}`);
  assert.ok(message.length <= 400, `message too long (${message.length}): ${message}`);
  assert.doesNotMatch(message, /BEGIN|PRIVATE|PUBLIC KEY/);
}
