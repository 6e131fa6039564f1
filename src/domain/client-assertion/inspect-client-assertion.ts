/**
 * inspectClientAssertion: the dashboard's assertion checker. Runs the checks of
 * `decodeClientAssertion` + `verifyClientAssertion` one by one and reports each as pass, fail
 * or skipped (a check that needs an earlier one, e.g. the claims need a parsable payload),
 * instead of stopping at the first failure as the token endpoint must.
 *
 * Contract: pure, writes no state, never throws for any input string. It does not consult or
 * record the jti (single use is the token endpoint's business), so checking an assertion never
 * spends it. Every message comes from the same check functions the token endpoint runs, so
 * the checker and the endpoint cannot disagree about why an assertion fails.
 */
import { ClientAuthError } from '../errors.ts';
import type { AssertionHeader, CandidateCredential, VerifyAssertionContext } from './types.ts';
import { checkAlg, checkIdentifier, checkJti, checkNumericDate, decodeJsonObject } from './decode-client-assertion.ts';
import { checkAssertionAudience } from './check-assertion-audience.ts';
import { checkAssertionExpiry, checkAssertionLifetime, checkAssertionNotBefore } from './check-assertion-times.ts';
import { checkAssertionTyp } from './check-assertion-typ.ts';
import { describeType, fail, show } from './failure.ts';
import { selectCredentials } from './select-credentials.ts';
import { splitCompactJws } from './split-compact-jws.ts';
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
      record(id, 'fail', sentence(err.message));
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
        alg.message = sentence(err.message);
        record('kid', 'pass', header.kid === undefined ? 'No kid: every enabled credential would be tried.' : `${show(header.kid as string)} is an enabled, unexpired credential.`);
      } else {
        record('kid', 'fail', sentence(err.message));
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

  return { ok: checks.every((c) => c.status === 'pass'), checks };
}

/** The structural part of `decodeClientAssertion`, without its claim checks (reported one by one above). */
function parse(assertion: string, ctx: InspectAssertionContext) {
  const max = ctx.policy.maxAssertionBytes;
  const trimmed = assertion.trim();
  if (trimmed.length === 0) fail('malformed_assertion', 'Paste a client assertion (a JWT of three dot-separated parts)');
  if (Buffer.byteLength(trimmed, 'utf8') > max) fail('assertion_too_large', `client_assertion is ${Buffer.byteLength(trimmed, 'utf8')} bytes; the maximum is ${max} bytes`);
  const { first, second } = splitCompactJws(trimmed);
  const header = decodeJsonObject(trimmed.slice(0, first), 'header');
  const payload = decodeJsonObject(trimmed.slice(first + 1, second), 'payload');
  if (header.crit !== undefined) fail('malformed_assertion', "'crit' header parameter is not supported: no JWS extensions are understood here");
  if (header.kid !== undefined && typeof header.kid !== 'string') fail('malformed_assertion', `'kid' header parameter must be a string (got ${describeType(header.kid)})`);
  for (const claim of ['exp', 'iat', 'nbf'] as const) checkNumericDate(claim, payload[claim], ctx.clientId);
  if (second + 1 === trimmed.length) fail('malformed_assertion', 'client_assertion signature part is empty: the JWT must be signed with the private key');
  return {
    header,
    payload,
    signingInput: Buffer.from(trimmed.slice(0, second), 'latin1'),
    signature: Buffer.from(trimmed.slice(second + 1), 'base64url'),
  };
}

/** Check messages are fragments ("'exp' claim is required: …"); the checker shows them as sentences. */
function sentence(message: string): string {
  const m = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(m) ? m : `${m}.`;
}
