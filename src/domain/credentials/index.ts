/**
 * Credentials: the public keys and X.509 certificates customers upload per application for
 * Private Key JWT client authentication (Auth0 Management API v2 `/clients/{id}/credentials`).
 *
 * Pure domain rules, no I/O: parse and vet an uploaded PEM (refusing private keys first),
 * check every rule for a new credential or an expiry change, compute RFC 7638 kids, and import
 * a stored PEM for signature verification.
 */
export { jwkThumbprint, type JwkThumbprintInput } from './jwk-thumbprint.ts';
export { parseCredentialPem, MAX_PEM_LENGTH, type ParsedPem } from './parse-credential-pem.ts';
export { PRIVATE_KEY_REFUSED_MESSAGE } from './refuse-private-key.ts';
export { CREDENTIAL_ALGS, DEFAULT_CREDENTIAL_ALG, isCredentialAlg, type CredentialAlg } from './credential-algs.ts';
export { MIN_RSA_KEY_BITS, MAX_RSA_KEY_BITS } from './key-fits-alg.ts';
export { MAX_CREDENTIAL_NAME_LENGTH, CUSTOM_KID_PATTERN, type CredentialType } from './read-credential-fields.ts';
export type { CredentialKeyType, CredentialCurve } from './describe-public-key.ts';
export type { CertificateDetails } from './certificate-details.ts';
export {
  checkNewCredential,
  MAX_CREDENTIALS_PER_CLIENT,
  type NewCredentialInput,
  type NewCredentialContext,
  type ExistingCredentialSummary,
  type CheckedCredential,
} from './check-new-credential.ts';
export { checkExpiryUpdate, type ExpiryUpdateContext } from './check-expiry-update.ts';
export { effectiveExpiry } from './expires-at.ts';
export { importStoredKey } from './import-stored-key.ts';
