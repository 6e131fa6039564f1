/**
 * selectCredentials: step 4, which of the client's credentials may have signed the assertion.
 *
 * Contract: from the caller's list of *enabled* credentials, returns the non-empty list of
 * those that are unexpired at `now`, match the header `kid` when one is present (otherwise
 * all of them), and are registered for exactly the header `alg`. Otherwise throws
 * `ClientAuthError`:
 * - `no_active_credential`  the list is empty;
 * - `credential_expired`    every credential that could have matched has expired;
 * - `unknown_kid`           `kid` present and no credential has it;
 * - `alg_mismatch`          candidates exist but none is registered for the header `alg`.
 * The messages never name the client's credentials; the `detail` of `credential_expired` names
 * each kid and expiry time, and that of `alg_mismatch` the registered algs (for the tenant only).
 * No signature is checked here. One pass; the result array is the only allocation.
 */
import type { AssertionHeader, CandidateCredential } from './types.ts';
import { fail, isoTime, show } from './failure.ts';

export function selectCredentials(
  header: AssertionHeader,
  credentials: readonly CandidateCredential[],
  now: number,
  clientId: string,
): CandidateCredential[] {
  if (credentials.length === 0) {
    fail(
      'no_active_credential',
      'the application has no enabled credential for private_key_jwt: upload a public key on its Credentials tab and enable it',
      clientId,
    );
  }
  const kid = header.kid;
  let selected: CandidateCredential[] | undefined;
  let active = 0;
  let expired = 0;
  for (const credential of credentials) {
    if (kid !== undefined && credential.kid !== kid) continue;
    if (credential.expiresAt !== null && credential.expiresAt <= now) {
      expired++;
      continue;
    }
    active++;
    if (credential.alg === header.alg) (selected ??= []).push(credential);
  }
  if (selected !== undefined) return selected;

  if (active === 0 && expired > 0) {
    const names = credentials
      .filter((c) => (kid === undefined || c.kid === kid) && c.expiresAt !== null && c.expiresAt <= now)
      .map((c) => `${show(c.kid)} expired at ${isoTime(c.expiresAt!)}`)
      .join('; ');
    const what = kid === undefined ? 'every credential of the application has expired' : "the credential the 'kid' names has expired";
    const advice = 'upload a new public key and sign with its private key';
    fail('credential_expired', `${what}: ${advice}`, clientId, `${what}: ${names}; ${advice}`);
  }
  if (active === 0) {
    fail('unknown_kid', `'kid' ${show(kid!)} does not match any enabled credential of the application`, clientId);
  }
  const registered = [
    ...new Set(credentials.filter((c) => (kid === undefined || c.kid === kid) && !(c.expiresAt !== null && c.expiresAt <= now)).map((c) => c.alg)),
  ].join(', ');
  const mismatch =
    kid === undefined
      ? `'alg' ${show(header.alg)} does not match the algorithm the application's credentials are registered with`
      : `'alg' ${show(header.alg)} does not match the algorithm the credential the 'kid' names is registered with`;
  fail('alg_mismatch', mismatch, clientId, `${mismatch}: ${registered}`);
}
