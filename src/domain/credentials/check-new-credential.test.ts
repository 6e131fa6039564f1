/**
 * checkNewCredential: every rule for adding a credential to a client
 * (POST /api/v2/clients/{id}/credentials), as a specification.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkNewCredential,
  MAX_CREDENTIALS_PER_CLIENT,
  type ExistingCredentialSummary,
  type NewCredentialInput,
} from './check-new-credential.ts';
import { CREDENTIAL_ALGS } from './credential-algs.ts';
import { parseCredentialPem } from './parse-credential-pem.ts';
import {
  datedCertificate,
  ecKey,
  ed25519Key,
  pkcs1Pem,
  refusal,
  rsaKey,
  selfSignedCertificate,
  spkiPem,
} from '../../../test/support/credential-material.ts';

const NOW = new Date('2030-06-15T12:00:00.000Z');
const ctx = (existing: ExistingCredentialSummary[] = [], now = NOW) => ({ now, existing });

const rsaPem = spkiPem(rsaKey(2048));
const rsaThumbprint = parseCredentialPem(rsaPem).thumbprint;
const base: NewCredentialInput = { credential_type: 'public_key', pem: rsaPem };

/** The refusal for `input`, asserting its code and field. */
function refused(input: NewCredentialInput, code: string, field: string | undefined, context = ctx()) {
  const error = refusal(() => checkNewCredential(input, context));
  assert.equal(error.code, code, error.message);
  assert.equal(error.field, field);
  return error;
}

const other = (n: number): ExistingCredentialSummary => ({ id: `cred_other${n}`, kid: `kid-of-other-${n}`, thumbprint: `thumb-${n}` });

describe('checkNewCredential: what an accepted credential looks like', () => {
  it('defaults to alg RS256, name "", kid = RFC 7638 thumbprint, no expiry; stores the normalized SPKI PEM', () => {
    const checked = checkNewCredential({ ...base, pem: `\r\n  ${rsaPem.replace(/\n/g, '\r\n')}  ` }, ctx());
    assert.deepEqual(checked, {
      name: '',
      credentialType: 'public_key',
      alg: 'RS256',
      kid: rsaThumbprint,
      thumbprint: rsaThumbprint,
      pem: rsaPem,
      keyType: 'RSA',
      keyBits: 2048,
      curve: null,
      subjectDn: null,
      thumbprintSha256: null,
      certNotAfter: null,
      expiresAt: null,
    });
  });

  it('stores a PKCS#1 key as SPKI (never the raw input)', () => {
    const checked = checkNewCredential({ ...base, pem: pkcs1Pem(rsaKey(2048)) }, ctx());
    assert.equal(checked.pem, rsaPem);
    assert.equal(checked.thumbprint, rsaThumbprint);
  });

  it('accepts every RSA alg with an RSA key', () => {
    for (const alg of ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']) {
      assert.equal(checkNewCredential({ ...base, alg }, ctx()).alg, alg);
    }
  });

  it('accepts ES256 with P-256, ES384 with P-384 and EdDSA with Ed25519', () => {
    const es256 = checkNewCredential({ ...base, alg: 'ES256', pem: spkiPem(ecKey('P-256')) }, ctx());
    assert.deepEqual([es256.keyType, es256.curve, es256.keyBits], ['EC', 'P-256', null]);
    assert.equal(checkNewCredential({ ...base, alg: 'ES384', pem: spkiPem(ecKey('P-384')) }, ctx()).curve, 'P-384');
    assert.equal(checkNewCredential({ ...base, alg: 'EdDSA', pem: spkiPem(ed25519Key()) }, ctx()).keyType, 'OKP');
  });

  it('keeps the name and a custom kid', () => {
    const checked = checkNewCredential({ ...base, name: 'prod backend 2026', kid: 'my-key_2026-06' }, ctx());
    assert.equal(checked.name, 'prod backend 2026');
    assert.equal(checked.kid, 'my-key_2026-06');
    assert.equal(checked.thumbprint, rsaThumbprint, 'the thumbprint still identifies the key');
  });

  it('takes a certificate as public_key: stores the certificate PEM and records subject, SHA-256 thumbprint and notAfter', () => {
    const cert = selfSignedCertificate({ days: 30, subject: '/O=Acme/CN=backend' });
    const checked = checkNewCredential({ ...base, pem: cert.certPem }, ctx([], new Date()));
    const details = parseCredentialPem(cert.certPem).certificate!;
    assert.equal(checked.pem, cert.certPem);
    assert.equal(checked.subjectDn, 'CN=backend,O=Acme');
    assert.equal(checked.thumbprintSha256, details.thumbprintSha256);
    assert.deepEqual(checked.certNotAfter, details.notAfter);
    assert.equal(checked.expiresAt, null, 'no expiry unless asked for');
  });

  it('takes a certificate as x509_cert', () => {
    const checked = checkNewCredential({ credential_type: 'x509_cert', pem: selfSignedCertificate().certPem }, ctx([], new Date()));
    assert.equal(checked.credentialType, 'x509_cert');
  });

  it('parse_expiry_from_cert: expiresAt is the certificate notAfter', () => {
    const cert = selfSignedCertificate({ days: 10 });
    const checked = checkNewCredential({ ...base, pem: cert.certPem, parse_expiry_from_cert: true }, ctx([], new Date()));
    assert.deepEqual(checked.expiresAt, parseCredentialPem(cert.certPem).certificate!.notAfter);
  });

  it('expires_at: an ISO 8601 date-time in the future, any offset, null = never', () => {
    assert.deepEqual(checkNewCredential({ ...base, expires_at: '2031-01-01T01:30:00+01:30' }, ctx()).expiresAt, new Date('2031-01-01T00:00:00Z'));
    assert.deepEqual(checkNewCredential({ ...base, expires_at: '2031-01-01T00:00:00.123Z' }, ctx()).expiresAt, new Date('2031-01-01T00:00:00.123Z'));
    assert.equal(checkNewCredential({ ...base, expires_at: null }, ctx()).expiresAt, null);
  });

  it('expires_at before the certificate expiry is kept', () => {
    const cert = selfSignedCertificate({ days: 30 });
    const soon = new Date(Date.now() + 86_400_000);
    const checked = checkNewCredential({ ...base, pem: cert.certPem, expires_at: soon.toISOString() }, ctx([], new Date()));
    assert.deepEqual(checked.expiresAt, soon);
  });

  it(`accepts up to ${MAX_CREDENTIALS_PER_CLIENT} credentials per client`, () => {
    assert.doesNotThrow(() => checkNewCredential(base, ctx([other(1), other(2), other(3)])));
  });
});

describe('checkNewCredential: refusals', () => {
  it('too_many_credentials: a client already holding 4 credentials, with Auth0\'s exact message, checked first', () => {
    const full = [other(1), other(2), other(3), other(4)];
    const error = refused({ credential_type: 'nonsense', pem: 'garbage' }, 'too_many_credentials', undefined, ctx(full));
    assert.equal(error.message, 'A client can have a maximum of 4 credentials.');
  });

  it('invalid_credential_type: anything but public_key or x509_cert', () => {
    for (const credential_type of ['cert_subject_dn', 'PUBLIC_KEY', '', undefined]) {
      refused({ ...base, credential_type: credential_type as string }, 'invalid_credential_type', 'credential_type');
    }
  });

  it('certificate_required: x509_cert with a bare public key', () => {
    refused({ ...base, credential_type: 'x509_cert' }, 'certificate_required', 'pem');
  });

  it('invalid_name: longer than 128 characters (counted as characters, not UTF-16 units) or not a string', () => {
    assert.doesNotThrow(() => checkNewCredential({ ...base, name: 'n'.repeat(128) }, ctx()));
    assert.doesNotThrow(() => checkNewCredential({ ...base, name: '🔑'.repeat(128) }, ctx()));
    const error = refused({ ...base, name: 'n'.repeat(129) }, 'invalid_name', 'name');
    assert.match(error.message, /at most 128 characters; it has 129/);
    refused({ ...base, name: 42 as unknown as string }, 'invalid_name', 'name');
  });

  it('pem_required: no pem, or an empty one', () => {
    for (const pem of [undefined, '', '  \n ']) refused({ ...base, pem }, 'pem_required', 'pem');
  });

  it('unsupported_alg: not in the list (HS256, none, wrong case), and the message lists the supported ones', () => {
    for (const alg of ['HS256', 'none', 'rs256', 'ES512', '']) {
      const error = refused({ ...base, alg }, 'unsupported_alg', 'alg');
      assert.equal(error.message, `alg must be one of: ${CREDENTIAL_ALGS.join(', ')}.`);
    }
  });

  it('alg_key_mismatch: RS*/PS* need RSA, ES256 P-256, ES384 P-384, EdDSA Ed25519', () => {
    const cases: Array<[string, string]> = [
      ['RS256', spkiPem(ecKey('P-256'))],
      ['PS256', spkiPem(ed25519Key())],
      ['ES256', rsaPem],
      ['ES256', spkiPem(ecKey('P-384'))],
      ['ES384', spkiPem(ecKey('P-256'))],
      ['EdDSA', spkiPem(ecKey('P-256'))],
      ['ES256', spkiPem(ecKey('P-521'))],
    ];
    for (const [alg, pem] of cases) refused({ ...base, alg, pem }, 'alg_key_mismatch', 'alg');
  });

  it('alg_key_mismatch names the key and the algs that would fit', () => {
    const error = refused({ ...base, alg: 'ES256', pem: spkiPem(ecKey('P-384')) }, 'alg_key_mismatch', 'alg');
    assert.equal(error.message, 'alg ES256 needs an EC P-256 key, but the uploaded key is an EC P-384 key. For this key use ES384.');
    const p521 = refused({ ...base, alg: 'ES256', pem: spkiPem(ecKey('P-521')) }, 'alg_key_mismatch', 'alg');
    assert.match(p521.message, /No supported alg uses this key/);
  });

  it('key_too_small: RSA below 2048 bits, stating the bounds and the size', () => {
    const error = refused({ ...base, pem: spkiPem(rsaKey(1024)) }, 'key_too_small', 'pem');
    assert.equal(error.message, 'The RSA key is too small: 1024 bits. RSA keys must be 2048 to 4096 bits.');
  });

  it('key_too_large: RSA above 4096 bits, stating the bounds and the size', () => {
    const error = refused({ ...base, pem: spkiPem(rsaKey(4160)) }, 'key_too_large', 'pem');
    assert.equal(error.message, 'The RSA key is too large: 4160 bits. RSA keys must be 2048 to 4096 bits.');
  });

  it('accepts exactly 2048 and 4096 bits', () => {
    assert.equal(checkNewCredential({ ...base, pem: spkiPem(rsaKey(4096)) }, ctx()).keyBits, 4096);
    assert.equal(checkNewCredential(base, ctx()).keyBits, 2048);
  });

  it('certificate_expired: a certificate past its notAfter, saying when', () => {
    const cert = datedCertificate('20200101000000Z', '20210101000000Z');
    const error = refused({ ...base, pem: cert.certPem }, 'certificate_expired', 'pem', ctx([], new Date()));
    assert.match(error.message, /expired at 2021-01-01T00:00:00\.000Z/);
  });

  it('certificate_expired: judged against ctx.now (inclusive notAfter)', () => {
    const cert = selfSignedCertificate({ days: 1 });
    const notAfter = parseCredentialPem(cert.certPem).certificate!.notAfter;
    assert.doesNotThrow(() => checkNewCredential({ ...base, pem: cert.certPem }, ctx([], notAfter)));
    refused({ ...base, pem: cert.certPem }, 'certificate_expired', 'pem', ctx([], new Date(notAfter.getTime() + 1)));
  });

  it('certificate_not_yet_valid: a certificate whose notBefore is in the future, saying when', () => {
    const cert = datedCertificate('20990101000000Z', '21000101000000Z');
    const error = refused({ ...base, pem: cert.certPem }, 'certificate_not_yet_valid', 'pem', ctx([], new Date()));
    assert.match(error.message, /starts at 2099-01-01T00:00:00\.000Z/);
  });

  it('invalid_expires_at: not an ISO 8601 date-time with a time zone', () => {
    for (const expires_at of ['tomorrow', '2031-01-01', '2031-01-01T00:00:00', '2031-02-30T00:00:00Z', '2031-13-01T00:00:00Z', '2031-01-01T24:00:00Z', '']) {
      refused({ ...base, expires_at }, 'invalid_expires_at', 'expires_at');
    }
    refused({ ...base, expires_at: 1924992000000 as unknown as string }, 'invalid_expires_at', 'expires_at');
  });

  it('expires_at_in_past: not after now', () => {
    refused({ ...base, expires_at: '2020-01-01T00:00:00Z' }, 'expires_at_in_past', 'expires_at');
    refused({ ...base, expires_at: NOW.toISOString() }, 'expires_at_in_past', 'expires_at');
  });

  it('parse_expiry_requires_certificate: parse_expiry_from_cert with a bare public key', () => {
    refused({ ...base, parse_expiry_from_cert: true }, 'parse_expiry_requires_certificate', 'parse_expiry_from_cert');
  });

  it('parse_expiry_conflicts_with_expires_at: both given', () => {
    const pem = selfSignedCertificate().certPem;
    refused({ ...base, pem, parse_expiry_from_cert: true, expires_at: '2031-01-01T00:00:00Z' }, 'parse_expiry_conflicts_with_expires_at', 'parse_expiry_from_cert');
  });

  it('invalid_parse_expiry_from_cert: not a boolean', () => {
    refused({ ...base, parse_expiry_from_cert: 'true' as unknown as boolean }, 'invalid_parse_expiry_from_cert', 'parse_expiry_from_cert');
  });

  it('expires_after_certificate: an explicit expires_at later than the certificate notAfter', () => {
    const cert = selfSignedCertificate({ days: 30 });
    const later = new Date(Date.now() + 60 * 86_400_000).toISOString();
    refused({ ...base, pem: cert.certPem, expires_at: later }, 'expires_after_certificate', 'expires_at', ctx([], new Date()));
  });

  it('invalid_kid: a custom kid outside ^[0-9a-zA-Z-_]{10,64}$', () => {
    for (const kid of ['short', 'k'.repeat(65), 'has spaces in it', 'dots.are.not.ok', 'ünïcödé-kid', '']) {
      refused({ ...base, kid }, 'invalid_kid', 'kid');
    }
    assert.equal(checkNewCredential({ ...base, kid: 'k'.repeat(64) }, ctx()).kid, 'k'.repeat(64));
  });

  it('duplicate_credential: the same public key is already on the client, in any form', () => {
    const existing = [{ id: 'cred_existing', kid: 'custom-kid-1', thumbprint: rsaThumbprint }];
    for (const pem of [rsaPem, pkcs1Pem(rsaKey(2048))]) {
      const error = refused({ ...base, pem, kid: 'another-kid-2' }, 'duplicate_credential', 'pem', ctx(existing));
      assert.match(error.message, /^credentials contains public keys that already exist in client/);
      assert.match(error.message, /cred_existing/);
    }
    // A certificate and its bare public key are the same key.
    const cert = selfSignedCertificate();
    const certKey = parseCredentialPem(cert.certPem);
    refused({ ...base, pem: certKey.spkiPem }, 'duplicate_credential', 'pem', ctx([{ id: 'cred_cert', kid: 'x'.repeat(10), thumbprint: certKey.thumbprint }], new Date()));
  });

  it('duplicate_kid: the custom or derived kid is already used by another credential of the client', () => {
    const existing = [{ id: 'cred_existing', kid: 'my-kid-2026', thumbprint: 'other-key' }];
    const custom = refused({ ...base, kid: 'my-kid-2026' }, 'duplicate_kid', 'kid', ctx(existing));
    assert.match(custom.message, /cred_existing/);
    refused(base, 'duplicate_kid', 'kid', ctx([{ id: 'cred_odd', kid: rsaThumbprint, thumbprint: 'other-key' }]));
  });
});

describe('checkNewCredential: order of checks', () => {
  it('cheap field checks come before the PEM is parsed', () => {
    const garbage = { ...base, pem: 'not a pem at all' };
    refused({ ...garbage, credential_type: 'bogus' }, 'invalid_credential_type', 'credential_type');
    refused({ ...garbage, name: 'n'.repeat(200) }, 'invalid_name', 'name');
    refused({ ...garbage, alg: 'HS256' }, 'unsupported_alg', 'alg');
    refused({ ...garbage, kid: 'bad' }, 'invalid_kid', 'kid');
    refused({ ...garbage, expires_at: 'soon' }, 'invalid_expires_at', 'expires_at');
    refused({ ...garbage, parse_expiry_from_cert: true, expires_at: '2031-01-01T00:00:00Z' }, 'parse_expiry_conflicts_with_expires_at', 'parse_expiry_from_cert');
  });

  it('the PEM is parsed before key and alg rules apply', () => {
    refused({ ...base, alg: 'ES256', pem: 'not a pem at all' }, 'invalid_pem', 'pem');
  });

  it('the alg fit is judged before the RSA size', () => {
    refused({ ...base, alg: 'ES256', pem: spkiPem(rsaKey(1024)) }, 'alg_key_mismatch', 'alg');
  });
});
