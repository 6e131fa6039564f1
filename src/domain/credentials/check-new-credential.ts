/**
 * Every rule for adding a credential to a client, as one pure function.
 *
 * Contract: `checkNewCredential(input, ctx)` returns the `CheckedCredential` to store, or throws
 * the first `InvalidInputError` that applies (stable `code`, safe `message`, request `field`).
 * Order, so that the answer is the most useful one and expensive or risky work comes last:
 *  1. the client's credential pool is not full (`too_many_credentials`);
 *  2. cheap field checks: credential_type, name, alg, kid, parse_expiry_from_cert, expires_at,
 *     their combination, pem present;
 *  3. the PEM is parsed — private keys are refused inside, before anything else about the PEM;
 *  4. the key and certificate: type asked for, alg fit, RSA size, certificate validity window,
 *     expiry versus certificate;
 *  5. uniqueness on the client: same public key (`duplicate_credential`), same kid (`duplicate_kid`).
 * `ctx.now` is the clock and `ctx.existing` the client's current credentials; nothing else is read.
 * What is stored as `pem` is always re-encoded from parsed DER (the certificate, or the SPKI of
 * the key), never the raw input, so stray whitespace or a PKCS#1 header never reaches the store.
 */
import { InvalidInputError } from '../errors.ts';
import type { CredentialAlg } from './credential-algs.ts';
import { assertNotAfterCertificate, readFutureExpiry } from './expires-at.ts';
import { assertKeyFitsAlg, assertRsaKeySize } from './key-fits-alg.ts';
import { parseCredentialPem } from './parse-credential-pem.ts';
import {
  readAlg,
  readCredentialType,
  readCustomKid,
  readName,
  readParseExpiryFromCert,
  type CredentialType,
} from './read-credential-fields.ts';

/** Auth0's pool limit: records per client, attached to an auth method or not. */
export const MAX_CREDENTIALS_PER_CLIENT = 4;

export interface NewCredentialInput {
  /** 'public_key' | 'x509_cert' */
  credential_type: string;
  /** ≤ 128 characters, default ''. */
  name?: string;
  pem?: string;
  /** Default 'RS256'. */
  alg?: string;
  parse_expiry_from_cert?: boolean;
  /** ISO 8601 date-time; null or absent = never expires. */
  expires_at?: string | null;
  /** Custom kid, ^[0-9a-zA-Z-_]{10,64}$; default is the RFC 7638 thumbprint. */
  kid?: string;
}

export interface ExistingCredentialSummary {
  id: string;
  kid: string;
  thumbprint: string;
}

export interface CheckedCredential {
  name: string;
  credentialType: CredentialType;
  alg: CredentialAlg;
  /** The custom kid, or the RFC 7638 thumbprint. */
  kid: string;
  /** Always the RFC 7638 thumbprint (identifies the public key; used to detect duplicates). */
  thumbprint: string;
  /** What to store: the normalized certificate PEM for certificates, else the normalized SPKI PEM. */
  pem: string;
  keyType: 'RSA' | 'EC' | 'OKP';
  keyBits: number | null;
  curve: string | null;
  subjectDn: string | null;
  thumbprintSha256: string | null;
  certNotAfter: Date | null;
  expiresAt: Date | null;
}

export interface NewCredentialContext {
  now: Date;
  existing: ExistingCredentialSummary[];
}

export function checkNewCredential(input: NewCredentialInput, ctx: NewCredentialContext): CheckedCredential {
  // Auth0's exact message; first, because nothing else matters while the pool is full.
  if (ctx.existing.length >= MAX_CREDENTIALS_PER_CLIENT) {
    throw new InvalidInputError('too_many_credentials', `A client can have a maximum of ${MAX_CREDENTIALS_PER_CLIENT} credentials.`);
  }

  const credentialType = readCredentialType(input.credential_type);
  const name = readName(input.name);
  const alg = readAlg(input.alg);
  const customKid = readCustomKid(input.kid);
  const parseExpiry = readParseExpiryFromCert(input.parse_expiry_from_cert);
  const hasExplicitExpiry = input.expires_at !== undefined && input.expires_at !== null;
  if (parseExpiry && hasExplicitExpiry) {
    // Auth0's documented behaviour (the Terraform provider's "explicit wins" is client-side).
    throw new InvalidInputError(
      'parse_expiry_conflicts_with_expires_at',
      'parse_expiry_from_cert and expires_at are mutually exclusive: either take the expiry from the certificate or set expires_at, not both.',
      'parse_expiry_from_cert',
    );
  }
  const explicitExpiry = hasExplicitExpiry ? readFutureExpiry(input.expires_at, ctx.now) : null;
  if (input.pem === undefined || input.pem === null || (typeof input.pem === 'string' && input.pem.trim() === '')) {
    throw new InvalidInputError('pem_required', 'pem is required: the public key (PEM) or the X.509 certificate.', 'pem');
  }

  const parsed = parseCredentialPem(input.pem);
  const cert = parsed.certificate;

  if (credentialType === 'x509_cert' && !cert) {
    throw new InvalidInputError(
      'certificate_required',
      'credential_type x509_cert needs an X.509 certificate (-----BEGIN CERTIFICATE-----); for a bare public key use credential_type public_key.',
      'pem',
    );
  }
  if (parseExpiry && !cert) {
    throw new InvalidInputError(
      'parse_expiry_requires_certificate',
      'parse_expiry_from_cert needs an X.509 certificate (-----BEGIN CERTIFICATE-----); a bare public key has no expiry. Set expires_at instead.',
      'parse_expiry_from_cert',
    );
  }
  assertKeyFitsAlg(alg, parsed);
  assertRsaKeySize(parsed);
  if (cert) {
    // RFC 5280 §4.1.2.5: the validity period includes both notBefore and notAfter.
    if (ctx.now.getTime() < cert.notBefore.getTime()) {
      throw new InvalidInputError(
        'certificate_not_yet_valid',
        `The certificate is not valid yet: its validity starts at ${cert.notBefore.toISOString()}.`,
        'pem',
      );
    }
    if (ctx.now.getTime() > cert.notAfter.getTime()) {
      throw new InvalidInputError(
        'certificate_expired',
        `The certificate expired at ${cert.notAfter.toISOString()}. Upload a certificate that is currently valid.`,
        'pem',
      );
    }
  }
  if (explicitExpiry) assertNotAfterCertificate(explicitExpiry, cert?.notAfter ?? null);
  const expiresAt = parseExpiry && cert ? cert.notAfter : explicitExpiry;

  const kid = customKid ?? parsed.thumbprint;
  const sameKey = ctx.existing.find((c) => c.thumbprint === parsed.thumbprint);
  if (sameKey) {
    // Auth0's wording first, so clients matching on it keep working; then which credential it is.
    // A certificate and its bare public key count as the same key.
    throw new InvalidInputError(
      'duplicate_credential',
      `credentials contains public keys that already exist in client: this public key is already credential ${sameKey.id}. The same key cannot be uploaded twice.`,
      'pem',
    );
  }
  const sameKid = ctx.existing.find((c) => c.kid === kid);
  if (sameKid) {
    throw new InvalidInputError(
      'duplicate_kid',
      customKid === undefined
        ? `The generated kid (this key's RFC 7638 thumbprint) is already the kid of credential ${sameKid.id}; set a different custom kid.`
        : `kid is already used by credential ${sameKid.id} of this client; kids must be unique within a client so the right key can be found.`,
      'kid',
    );
  }

  return {
    name,
    credentialType,
    alg,
    kid,
    thumbprint: parsed.thumbprint,
    pem: cert ? cert.pem : parsed.spkiPem,
    keyType: parsed.keyType,
    keyBits: parsed.keyBits ?? null,
    curve: parsed.curve ?? null,
    subjectDn: cert?.subjectDn ?? null,
    thumbprintSha256: cert?.thumbprintSha256 ?? null,
    certNotAfter: cert?.notAfter ?? null,
    expiresAt,
  };
}
