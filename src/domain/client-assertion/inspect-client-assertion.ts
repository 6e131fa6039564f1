/**
 * inspectClientAssertion: the dashboard's assertion checker. Runs the checks of
 * `decodeClientAssertion` + `verifyClientAssertion` one by one and reports each as pass, fail
 * or skipped (a check that needs an earlier one, e.g. the claims need a parsable payload),
 * instead of stopping at the first failure as the token endpoint must.
 *
 * Contract: pure, writes no state, never throws for any input string. It does not consult or
 * record the jti (single use is the token endpoint's business), so checking an assertion never
 * spends it. The string is read by `readAssertionParts`, exactly as the token endpoint reads it
 * (no trimming), every check is one the endpoint runs, and the verdict also requires the
 * endpoint's own `decodeClientAssertion` to accept the string: the checker and the endpoint
 * cannot disagree about whether, or why, an assertion fails. The caller is authenticated (a
 * Management API token for this tenant), so failures carry the full `detail` that the endpoint
 * keeps from unauthenticated callers (which kid expired when, which algs are registered).
 */
import { ClientAuthError } from '../errors.ts';
import type { AssertionHeader, CandidateCredential, VerifyAssertionContext } from './types.ts';
import {
  checkAlg,
  checkHeaderMembers,
  checkIdentifier,
  checkJti,
  checkNumericDate,
  checkSignaturePresent,
  decodeClientAssertion,
  readAssertionParts,
} from './decode-client-assertion.ts';
import { checkAssertionAudience } from './check-assertion-audience.ts';
import { checkAssertionExpiry, checkAssertionLifetime, checkAssertionNotBefore } from './check-assertion-times.ts';
import { checkAssertionTyp } from './check-assertion-typ.ts';
import { fail, show } from './failure.ts';
import { selectCredentials } from './select-credentials.ts';
import { verifyJwsSignature } from './verify-jws-signature.ts';

export type AssertionCheckId = 'application' | 'format' | 'alg' | 'kid' | 'iss_sub' | 'signature' | 'aud' | 'exp' | 'lifetime' | 'iat_nbf' | 'jti' | 'typ';
export type AssertionCheckStatus = 'pass' | 'fail' | 'skipped';

export interface AssertionCheck {
  id: AssertionCheckId;
  label: string;
  status: AssertionCheckStatus;
  message: string;
}

export interface InspectAssertionContext extends VerifyAssertionContext {
  /** The application being checked against: the assertion must name it in `iss` and `sub`. */
  clientId: string;
  /** Why this application cannot use Private Key JWT now (plan, type, method off), or null. */
  applicationProblem: string | null;
}

const LABELS: Record<AssertionCheckId, string> = {
  application: 'Application accepts Private Key JWT',
  format: 'Well-formed signed JWT',
  alg: 'Algorithm (alg)',
  kid: 'Key ID (kid) and credential',
  iss_sub: 'Issuer and subject (iss, sub)',
  signature: 'Signature',
  aud: 'Audience (aud)',
  exp: 'Expiry (exp)',
  lifetime: 'Lifetime (exp − iat)',
  iat_nbf: 'Issued at / not before (iat, nbf)',
  jti: 'Unique ID (jti)',
  typ: 'Type header (typ)',
};

export function inspectClientAssertion(assertion: string, ctx: InspectAssertionContext): { ok: boolean; checks: AssertionCheck[] } {
  const checks: AssertionCheck[] = [];
  const record = (id: AssertionCheckId, status: AssertionCheckStatus, message: string) => checks.push({ id, label: LABELS[id], status, message });
  /** Runs one check; a ClientAuthError is that check's failure, with the endpoint's own message. */
  const attempt = <T>(id: AssertionCheckId, run: () => T, passMessage: (value: T) => string): T | undefined => {
    try {
      const value = run();
      record(id, 'pass', passMessage(value));
      return value;
    } catch (err) {
      if (!(err instanceof ClientAuthError)) throw err;
      record(id, 'fail', explain(err));
      return undefined;
    }
  };
  const skip = (ids: AssertionCheckId[], why: string) => ids.forEach((id) => record(id, 'skipped', why));

  record(
    'application',
    ctx.applicationProblem === null ? 'pass' : 'fail',
    ctx.applicationProblem ??
      `Private Key JWT is active with ${ctx.credentials.length} enabled credential${ctx.credentials.length === 1 ? '' : 's'}.`,
  );

  const parsed = attempt('format', () => parse(assertion, ctx), () => 'Three base64url parts with a JSON header and payload, and a signature.');
  if (!parsed) {
    skip(['alg', 'kid', 'iss_sub', 'signature', 'aud', 'exp', 'lifetime', 'iat_nbf', 'jti', 'typ'], 'Not checked: the assertion could not be read as a signed JWT.');
    return { ok: false, checks };
  }
  const { header, payload, signingInput, signature } = parsed;
  const { clientId, now, policy } = ctx;

  // alg and kid are reported apart, though one step selects the key: an alg problem should not hide a kid problem.
  const algValid = attempt('alg', () => {
    checkAlg(header.alg);
    return header.alg;
  }, (alg) => `${alg} is a supported asymmetric algorithm.`);
  let candidates: CandidateCredential[] | undefined;
  if (algValid === undefined) {
    record('kid', 'skipped', 'Not checked: needs a valid alg.');
  } else {
    try {
      candidates = selectCredentials(header as AssertionHeader, ctx.credentials, now, clientId);
      record('kid', 'pass', header.kid === undefined ? (candidates.length === 1 ? 'No kid: the one enabled credential for this alg is used.' : `No kid: each of the ${candidates.length} enabled credentials for this alg is tried.`) : `${show(header.kid as string)} is an enabled, unexpired credential.`);
      checks.find((c) => c.id === 'alg')!.message = `${algValid} matches the algorithm the credential is registered with.`;
    } catch (err) {
      if (!(err instanceof ClientAuthError)) throw err;
      if (err.code === 'alg_mismatch') {
        const alg = checks.find((c) => c.id === 'alg')!;
        alg.status = 'fail';
        alg.message = explain(err);
        record('kid', 'pass', header.kid === undefined ? 'No kid: every enabled credential would be tried.' : `${show(header.kid as string)} is an enabled, unexpired credential.`);
      } else {
        record('kid', 'fail', explain(err));
      }
    }
  }

  attempt('iss_sub', () => {
    checkIdentifier('iss', payload.iss, 'the client_id of the application');
    checkIdentifier('sub', payload.sub, "the client_id of the application (the same as 'iss')");
    if (payload.iss !== payload.sub) fail('iss_sub_mismatch', `'iss' and 'sub' claims must both be the client_id (got 'iss' ${show(payload.iss)} and 'sub' ${show(payload.sub)})`);
    if (payload.iss !== clientId) fail('client_id_mismatch', `'iss' and 'sub' name ${show(payload.iss)}, not this application (${clientId})`);
  }, () => `Both are ${clientId}.`);

  if (!candidates) {
    record('signature', 'skipped', 'Not checked: needs an algorithm and an enabled credential that match.');
  } else {
    attempt('signature', () => {
      const signer = candidates!.find((c) => verifyJwsSignature(header.alg as string, c.key, signingInput, signature));
      if (!signer) fail('invalid_signature', 'the signature does not verify with the public key of any matching enabled credential: sign with the matching private key');
      return signer;
    }, (signer) => `Verified with credential ${show(signer.kid)}.`);
  }

  attempt('aud', () => checkAssertionAudience(payload.aud, ctx.issuer, ctx.tokenEndpoint, policy.audiencePolicy, clientId), (legacy) =>
    legacy ? `Accepted only by this tenant's legacy audience setting; use ${ctx.issuer}.` : `The tenant's issuer, ${ctx.issuer}.`,
  );
  attempt('exp', () => checkAssertionExpiry(payload, now, policy, clientId), (e) => `Expires ${new Date(e * 1000).toISOString()}.`);
  if (typeof payload.exp !== 'number') record('lifetime', 'skipped', 'Not checked: needs exp.');
  else attempt('lifetime', () => checkAssertionLifetime(payload, now, policy, clientId), () => `Within the tenant's maximum of ${policy.maxLifetimeSeconds} seconds.`);
  attempt('iat_nbf', () => checkAssertionNotBefore(payload, now, policy, clientId), () =>
    payload.iat === undefined && payload.nbf === undefined ? 'Neither is set (both are optional).' : 'Not in the future.',
  );
  attempt('jti', () => checkJti(payload.jti, clientId), () => 'Present. Single use is enforced when the assertion is exchanged (checking it here does not spend it).');
  attempt('typ', () => checkAssertionTyp(header.typ, clientId), () => (header.typ === undefined ? 'Not set (optional).' : `${show(header.typ as string)} is accepted.`));

  // The endpoint's own decoding has the last word: should it refuse what every check above
  // passed, the checker says so rather than promise a token the endpoint would not issue.
  if (checks.every((c) => c.status === 'pass')) {
    try {
      decodeClientAssertion(assertion, ctx.policy);
    } catch (err) {
      if (!(err instanceof ClientAuthError)) throw err;
      const format = checks.find((c) => c.id === 'format')!;
      format.status = 'fail';
      format.message = explain(err);
    }
  }
  return { ok: checks.every((c) => c.status === 'pass'), checks };
}

/** The string as the token endpoint reads it, and the structural checks of `decodeClientAssertion` (the claims are reported one by one above). */
function parse(assertion: string, ctx: InspectAssertionContext) {
  const parts = readAssertionParts(assertion, ctx.policy);
  checkHeaderMembers(parts.header);
  for (const claim of ['exp', 'iat', 'nbf'] as const) checkNumericDate(claim, parts.payload[claim], ctx.clientId);
  checkSignaturePresent(parts.signature);
  return parts;
}

/** The tenant's own view of a failure: the detail the endpoint keeps from the caller, as a sentence. */
function explain(err: ClientAuthError): string {
  return sentence(err.detail ?? err.message);
}

/** Check messages are fragments ("'exp' claim is required: …"); the checker shows them as sentences. */
function sentence(message: string): string {
  const m = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(m) ? m : `${m}.`;
}
