/**
 * Client assertion verification (Private Key JWT, RFC 7523 §2.2/§3): pure rules, no I/O.
 *
 * Typical use at an OAuth endpoint:
 *   checkClientAssertionType(form.client_assertion_type);
 *   const decoded = decodeClientAssertion(form.client_assertion, policy);   // no trust
 *   // load client decoded.clientId, its enabled credentials (keys parsed once, cached)
 *   const verified = verifyClientAssertion(decoded, { credentials, issuer, tokenEndpoint, policy, now });
 *   // then record (tenant, client, verified.jti) until verified.replayUntil, atomically
 * Every failure is a `ClientAuthError` (401 invalid_client) with a stable `code`.
 */
export { CLIENT_ASSERTION_TYPE, DEFAULT_ASSERTION_POLICY, type AssertionPolicy } from './policy.ts';
export type {
  AssertionHeader,
  CandidateCredential,
  DecodedAssertion,
  VerifiedAssertion,
  VerifyAssertionContext,
} from './types.ts';
export { checkClientAssertionType } from './check-client-assertion-type.ts';
export { decodeClientAssertion } from './decode-client-assertion.ts';
export { verifyClientAssertion } from './verify-client-assertion.ts';
export { ASSERTION_SIGNING_ALGS, isAssertionSigningAlg, verifyJwsSignature, type AssertionSigningAlg } from './verify-jws-signature.ts';
export { inspectClientAssertion, type AssertionCheck, type AssertionCheckId, type AssertionCheckStatus, type InspectAssertionContext } from './inspect-client-assertion.ts';
