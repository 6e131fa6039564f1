/**
 * verifyClientAssertion: steps 4–5 of client assertion verification (RFC 7523 §3).
 *
 * Contract: given a `DecodedAssertion` (from `decodeClientAssertion`) and the client's enabled
 * credentials, either returns a `VerifiedAssertion` or throws `ClientAuthError`, in this order:
 * 1. key selection (`selectCredentials`): `no_active_credential`, `credential_expired`,
 *    `unknown_kid`, `alg_mismatch`;
 * 2. signature against each selected credential in turn (by `kid` there is normally one):
 *    `invalid_signature` when none verifies;
 * 3. only then the claims, so they reveal nothing to someone who cannot sign:
 *    `exp_missing`, `assertion_expired`, `lifetime_exceeded`, `iat_in_future`, `nbf_in_future`
 *    (`checkAssertionTimes`), `aud_missing`, `aud_invalid` (`checkAssertionAudience`),
 *    `typ_invalid` (`checkAssertionTyp`).
 * Pure: writes no state. The caller records (client, jti) until `replayUntil` (exp plus the
 * largest clock skew a tenant may configure) *after* this
 * returns, and logs when `legacyAudience` is true.
 */
import type { CandidateCredential, DecodedAssertion, VerifiedAssertion, VerifyAssertionContext } from './types.ts';
import { checkAssertionAudience } from './check-assertion-audience.ts';
import { checkAssertionTimes } from './check-assertion-times.ts';
import { checkAssertionTyp } from './check-assertion-typ.ts';
import { fail, show } from './failure.ts';
import { selectCredentials } from './select-credentials.ts';
import { verifyJwsSignature } from './verify-jws-signature.ts';
import { MAX_CLOCK_SKEW_SECONDS } from '../tenant-settings.ts';

export function verifyClientAssertion(decoded: DecodedAssertion, ctx: VerifyAssertionContext): VerifiedAssertion {
  const { header, payload, clientId } = decoded;
  const candidates = selectCredentials(header, ctx.credentials, ctx.now, clientId);

  let signer: CandidateCredential | undefined;
  for (const candidate of candidates) {
    if (verifyJwsSignature(header.alg, candidate.key, decoded.signingInput, decoded.signature)) {
      signer = candidate;
      break;
    }
  }
  if (signer === undefined) {
    const c = candidates[0]!;
    fail(
      'invalid_signature',
      candidates.length === 1
        ? 'the signature does not verify with the public key of the matching credential: sign the assertion with the matching private key'
        : `the signature does not verify with any of the application's ${header.alg} credentials: sign with the private key matching one of them (sending its 'kid' is recommended)`,
      clientId,
      candidates.length === 1
        ? `the signature does not verify with the public key of credential ${show(c.kid)} (${c.alg}): sign the assertion with the matching private key`
        : `the signature does not verify with any of the application's ${candidates.length} ${header.alg} credentials: sign with the private key matching one of them (sending its 'kid' is recommended)`,
    );
  }

  const { policy } = ctx;
  const exp = checkAssertionTimes(payload, ctx.now, policy, clientId);
  const legacyAudience = checkAssertionAudience(payload.aud, ctx.issuer, ctx.tokenEndpoint, policy.audiencePolicy, clientId);
  checkAssertionTyp(header.typ, clientId);

  const jti = payload.jti;
  if (typeof jti !== 'string' || jti.length === 0) {
    // decodeClientAssertion guarantees this; re-checked because the replay record depends on it.
    fail('jti_missing', "'jti' claim must be a non-empty string", clientId);
  }
  return {
    credentialId: signer.id,
    kid: signer.kid,
    jti,
    exp,
    // The largest skew a tenant may set, not the one in force: raising clock_skew later keeps
    // the assertion acceptable for longer, and its jti must stay used for all of that time.
    replayUntil: Math.ceil((exp + MAX_CLOCK_SKEW_SECONDS) * 1000),
    legacyAudience,
  };
}
