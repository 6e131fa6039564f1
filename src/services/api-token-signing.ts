import type { SecretBox } from '../domain/secret-box.ts';
import type { ResourceServer } from '../store/index.ts';
import { isAsymmetricTokenAlg, type AsymmetricTokenAlg, type HmacSigningKey } from '../domain/jwt-sign.ts';

/**
 * How an API's access tokens are signed, as its signing_alg says: with the tenant's current key
 * of an asymmetric algorithm (looked up per tenant version by TenantDirectory), or with the
 * API's own HS256 secret, opened here.
 */
export type ApiTokenSigning = AsymmetricTokenAlg | HmacSigningKey;

/** Read where an API's view is loaded (once per cached view), not per token. */
export function apiTokenSigning(rs: ResourceServer, box: SecretBox): ApiTokenSigning {
  if (isAsymmetricTokenAlg(rs.signingAlg)) return rs.signingAlg;
  if (rs.signingAlg === 'HS256' && rs.signingSecretEnc !== null) {
    return { alg: 'HS256', secret: Buffer.from(box.open(rs.signingSecretEnc, `signing_secret:${rs.id}`)) };
  }
  // Unreachable through the Management API (it validates the algorithm and always gives HS256 a
  // secret); a row that says otherwise signs nothing rather than something unexpected.
  throw new Error(`API ${rs.id} has signing_alg ${rs.signingAlg.slice(0, 16)} without a key Signet can sign with`);
}
