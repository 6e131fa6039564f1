import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * PKCE (RFC 7636) with S256 only: `plain` gives no protection against a leaked authorization
 * request and RFC 9700 §2.1.1 recommends against it. A verifier is 43–128 characters of the
 * unreserved set (§4.1); a challenge is the base64url SHA-256 of one (43 characters).
 */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
const CHALLENGE = /^[A-Za-z0-9\-_]{43}$/;

export type PkceProblem = 'method_not_s256' | 'challenge_malformed' | 'verifier_malformed' | 'verifier_mismatch' | 'verifier_missing' | 'verifier_without_challenge';

export class PkceError extends Error {
  constructor(readonly problem: PkceProblem, message: string) {
    super(message);
  }
}

/** At the authorization endpoint: a challenge, when sent, must be an S256 one. */
export function checkCodeChallenge(challenge: string, method: string | undefined): void {
  if (method !== 'S256') {
    throw new PkceError('method_not_s256', `code_challenge_method must be S256${method === undefined ? ' (it defaults to plain, which is not accepted)' : `; "${method.slice(0, 16)}" is not accepted`}.`);
  }
  if (!CHALLENGE.test(challenge)) throw new PkceError('challenge_malformed', 'code_challenge must be the base64url SHA-256 of the code verifier (43 characters).');
}

/**
 * At the token endpoint: the verifier must match the code's challenge; a verifier for a code
 * issued without a challenge is refused too (a downgrade, RFC 9700 §4.8.2).
 */
export function checkCodeVerifier(challenge: string | null, verifier: string | undefined): void {
  if (challenge === null) {
    if (verifier !== undefined) throw new PkceError('verifier_without_challenge', 'code_verifier was sent, but the authorization request had no code_challenge.');
    return;
  }
  if (verifier === undefined) throw new PkceError('verifier_missing', 'code_verifier is required: the authorization request sent a code_challenge.');
  if (!VERIFIER.test(verifier)) throw new PkceError('verifier_malformed', 'code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~.');
  const computed = createHash('sha256').update(verifier).digest();
  const expected = Buffer.from(challenge, 'base64url');
  if (expected.length !== computed.length || !timingSafeEqual(expected, computed)) {
    throw new PkceError('verifier_mismatch', 'code_verifier does not match the code_challenge of the authorization request.');
  }
}
