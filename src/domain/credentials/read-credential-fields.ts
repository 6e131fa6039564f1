/**
 * Cheap, field-by-field checks of a credential request, run before the PEM is touched.
 *
 * Contract: each `read*` returns the value to use (with its default) or throws
 * `InvalidInputError` with a specific code and the field's name. Values arrive from JSON, so
 * each reader checks the runtime type as well; an optional field given as `null` is treated as
 * absent. Messages never echo the submitted value: it could be anything a customer pasted.
 */
import { InvalidInputError } from '../errors.ts';
import { CREDENTIAL_ALGS, DEFAULT_CREDENTIAL_ALG, isCredentialAlg, type CredentialAlg } from './credential-algs.ts';

export type CredentialType = 'public_key' | 'x509_cert';

export const MAX_CREDENTIAL_NAME_LENGTH = 128;

/** Auth0's pattern for a custom kid (OAS `PostClientCredentialRequestContent.kid`). */
export const CUSTOM_KID_PATTERN = /^[0-9A-Za-z_-]{10,64}$/;

export function readCredentialType(value: unknown): CredentialType {
  if (value === 'public_key' || value === 'x509_cert') return value;
  throw new InvalidInputError(
    'invalid_credential_type',
    'credential_type must be "public_key" (a public key or certificate for Private Key JWT) or "x509_cert" (an X.509 certificate).',
    'credential_type',
  );
}

export function readName(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new InvalidInputError('invalid_name', 'name must be a string.', 'name');
  // Counted in code points, as JSON Schema's maxLength does, so an emoji counts once.
  const length = [...value].length;
  if (length > MAX_CREDENTIAL_NAME_LENGTH) {
    throw new InvalidInputError(
      'invalid_name',
      `name must be at most ${MAX_CREDENTIAL_NAME_LENGTH} characters; it has ${length}.`,
      'name',
    );
  }
  return value;
}

export function readAlg(value: unknown): CredentialAlg {
  if (value === undefined || value === null) return DEFAULT_CREDENTIAL_ALG;
  if (isCredentialAlg(value)) return value;
  throw new InvalidInputError('unsupported_alg', `alg must be one of: ${CREDENTIAL_ALGS.join(', ')}.`, 'alg');
}

/** `undefined` when no custom kid was given (the RFC 7638 thumbprint will be used). */
export function readCustomKid(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' && CUSTOM_KID_PATTERN.test(value)) return value;
  throw new InvalidInputError(
    'invalid_kid',
    'kid must be 10 to 64 characters, each a letter (A-Z, a-z), a digit, "-" or "_".',
    'kid',
  );
}

export function readParseExpiryFromCert(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  throw new InvalidInputError(
    'invalid_parse_expiry_from_cert',
    'parse_expiry_from_cert must be true or false.',
    'parse_expiry_from_cert',
  );
}
