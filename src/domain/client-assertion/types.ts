/**
 * Value types shared by the client assertion operations. No behaviour.
 */
import type { KeyObject } from 'node:crypto';
import type { AssertionPolicy } from './policy.ts';

/** JOSE header of a decoded (not yet trusted) assertion; `alg` is known to be a supported asymmetric alg. */
export interface AssertionHeader {
  alg: string;
  kid?: string;
  typ?: string;
  [k: string]: unknown;
}

/** Output of `decodeClientAssertion`: structurally valid, NOT authenticated. */
export interface DecodedAssertion {
  header: AssertionHeader;
  payload: Record<string, unknown>;
  /** `iss` (== `sub`): the client the assertion claims to come from. */
  clientId: string;
  /** ASCII bytes of `<b64 header>.<b64 payload>`, the JWS signing input. */
  signingInput: Buffer;
  /** Raw signature bytes (base64url-decoded third part). */
  signature: Buffer;
}

/** One enabled credential of the client, with its public key already parsed (once, not per call). */
export interface CandidateCredential {
  id: string;
  kid: string;
  /** The alg the credential was registered with; the assertion's `alg` must equal it. */
  alg: string;
  key: KeyObject;
  /** Epoch milliseconds, or null for no expiry. */
  expiresAt: number | null;
}

export interface VerifyAssertionContext {
  /** The client's enabled credentials (the verifier drops expired ones itself). */
  credentials: readonly CandidateCredential[];
  /** Issuer identifier of the tenant the request arrived on, e.g. `https://tenant.example/`. */
  issuer: string;
  /** Token endpoint URL of that tenant (accepted as `aud` only under the legacy policy). */
  tokenEndpoint: string;
  policy: AssertionPolicy;
  /** Current time, epoch milliseconds. */
  now: number;
}

/** Output of `verifyClientAssertion`: signature and claims are good; replay is the caller's next step. */
export interface VerifiedAssertion {
  credentialId: string;
  kid: string;
  jti: string;
  /** Epoch seconds. */
  exp: number;
  /** Epoch milliseconds until which the jti must be remembered: (exp + the largest configurable skew) * 1000. */
  replayUntil: number;
  /** True when `aud` was accepted only because of the legacy audience policy (caller logs it). */
  legacyAudience: boolean;
}
