import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { jwkThumbprint } from './jwk-thumbprint.ts';
import { MAX_PEM_LENGTH, parseCredentialPem } from './parse-credential-pem.ts';
import {
  assertNoLeak,
  ecKey,
  ed25519Key,
  opensslCertificateField,
  pemBody,
  pkcs1Pem,
  refusal,
  rsaKey,
  selfSignedCertificate,
  spkiPem,
  type KeyPair,
} from '../../../test/support/credential-material.ts';

const rsa = rsaKey(2048);
const rsaSpki = spkiPem(rsa);

/** Asserts an `invalid_pem` refusal on `field: 'pem'` that quotes nothing of the input. */
function assertInvalidPem(input: string, messagePattern?: RegExp): void {
  const error = refusal(() => parseCredentialPem(input));
  assert.equal(error.code, 'invalid_pem', error.message);
  assert.equal(error.field, 'pem');
  if (messagePattern) assert.match(error.message, messagePattern);
  assertNoLeak(error, pemBody(input).length >= 20 ? pemBody(input) : input);
}

describe('parseCredentialPem: accepted forms', () => {
  it('reads an SPKI public key (-----BEGIN PUBLIC KEY-----)', () => {
    const parsed = parseCredentialPem(rsaSpki);
    assert.equal(parsed.source, 'spki');
    assert.equal(parsed.keyType, 'RSA');
    assert.equal(parsed.keyBits, 2048);
    assert.equal(parsed.curve, undefined);
    assert.equal(parsed.publicKey.type, 'public');
    assert.ok(parsed.publicKey.equals(rsa.publicKey));
    assert.equal(parsed.certificate, undefined);
  });

  it('returns public JWK members only, its RFC 7638 thumbprint, and the normalized SPKI PEM', () => {
    const parsed = parseCredentialPem(rsaSpki);
    const full = rsa.publicKey.export({ format: 'jwk' });
    assert.deepEqual(parsed.jwk, { kty: 'RSA', n: full.n, e: full.e });
    assert.equal(parsed.thumbprint, jwkThumbprint(full));
    assert.equal(parsed.spkiPem, rsaSpki);
    assert.match(parsed.spkiPem, /^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+\n-----END PUBLIC KEY-----\n$/);
  });

  it('reads a PKCS#1 RSA public key (-----BEGIN RSA PUBLIC KEY-----) and normalizes it to SPKI', () => {
    const parsed = parseCredentialPem(pkcs1Pem(rsa));
    assert.equal(parsed.source, 'pkcs1');
    assert.equal(parsed.keyBits, 2048);
    assert.equal(parsed.spkiPem, rsaSpki);
    assert.equal(parsed.thumbprint, parseCredentialPem(rsaSpki).thumbprint);
  });

  it('reads EC P-256, P-384 and P-521 keys as kty EC with the JOSE curve name', () => {
    for (const curve of ['P-256', 'P-384', 'P-521'] as const) {
      const pair = ecKey(curve);
      const parsed = parseCredentialPem(spkiPem(pair));
      const full = pair.publicKey.export({ format: 'jwk' });
      assert.equal(parsed.keyType, 'EC');
      assert.equal(parsed.curve, curve);
      assert.equal(parsed.keyBits, undefined);
      assert.deepEqual(parsed.jwk, { kty: 'EC', crv: curve, x: full.x, y: full.y });
    }
  });

  it('reads an Ed25519 key as kty OKP, crv Ed25519', () => {
    const pair = ed25519Key();
    const parsed = parseCredentialPem(spkiPem(pair));
    assert.equal(parsed.keyType, 'OKP');
    assert.equal(parsed.curve, 'Ed25519');
    assert.deepEqual(parsed.jwk, { kty: 'OKP', crv: 'Ed25519', x: pair.publicKey.export({ format: 'jwk' }).x });
  });

  it('reads an X.509 certificate: its public key, subject, issuer, validity and SHA-256 thumbprint', () => {
    const cert = selfSignedCertificate({ days: 30, subject: '/C=US/O=Acme, Inc./CN=signet test' });
    const parsed = parseCredentialPem(cert.certPem);
    assert.equal(parsed.source, 'x509');
    assert.equal(parsed.keyType, 'RSA');
    assert.equal(parsed.keyBits, 2048);
    const details = parsed.certificate!;
    // Pinned to the openssl CLI, an independent implementation.
    assert.equal(details.subjectDn, opensslCertificateField(cert.file, ['-subject', '-nameopt', 'RFC2253']).replace(/^subject=/, ''));
    assert.equal(details.subjectDn, 'CN=signet test,O=Acme\\, Inc.,C=US');
    assert.equal(details.issuerDn, details.subjectDn, 'self-signed');
    const dates = opensslCertificateField(cert.file, ['-dates']);
    assert.equal(details.notBefore.getTime(), Date.parse(/notBefore=(.*)/.exec(dates)![1]!));
    assert.equal(details.notAfter.getTime(), Date.parse(/notAfter=(.*)/.exec(dates)![1]!));
    assert.equal(details.notAfter.getTime() - details.notBefore.getTime(), 30 * 86_400_000);
    const fingerprintHex = opensslCertificateField(cert.file, ['-fingerprint', '-sha256']).replace(/^.*=/, '').replace(/:/g, '');
    assert.equal(details.thumbprintSha256, Buffer.from(fingerprintHex, 'hex').toString('base64url'));
    assert.doesNotMatch(details.thumbprintSha256, /=/);
    assert.equal(details.pem, cert.certPem, 'openssl writes canonical PEM, which is what we store');
    assert.equal(parsed.spkiPem, createPublicKey(cert.keyPem).export({ type: 'spki', format: 'pem' }), 'the key of the certificate');
  });

  it('reads EC and Ed25519 certificates', () => {
    assert.equal(parseCredentialPem(selfSignedCertificate({ key: 'ec256' }).certPem).curve, 'P-256');
    assert.equal(parseCredentialPem(selfSignedCertificate({ key: 'ec384' }).certPem).curve, 'P-384');
    assert.equal(parseCredentialPem(selfSignedCertificate({ key: 'ed25519' }).certPem).curve, 'Ed25519');
  });

  it('computes thumbprintSha256 as base64url(SHA-256(DER)), as Auth0 and Terraform do', () => {
    const cert = selfSignedCertificate();
    const der = Buffer.from(pemBody(cert.certPem), 'base64');
    assert.equal(parseCredentialPem(cert.certPem).certificate!.thumbprintSha256, createHash('sha256').update(der).digest('base64url'));
  });
});

describe('parseCredentialPem: tolerated paste variations', () => {
  const expected = parseCredentialPem(rsaSpki).thumbprint;
  const variants: Record<string, string> = {
    'CRLF line endings': rsaSpki.replace(/\n/g, '\r\n'),
    'a literal two-character \\n instead of newlines': rsaSpki.replace(/\n/g, '\\n'),
    'a literal \\r\\n instead of CRLF': rsaSpki.replace(/\n/g, '\\r\\n'),
    'surrounding whitespace and blank lines': `\n\n   \t${rsaSpki}\n\n  `,
    'indented lines (YAML, code)': rsaSpki.split('\n').map((l) => `    ${l}`).join('\n'),
    'newlines flattened to spaces': rsaSpki.replace(/\n/g, ' '),
    'no trailing newline': rsaSpki.trimEnd(),
    'a byte-order mark': `\uFEFF${rsaSpki}`,
    'lower-case, oddly spaced labels': rsaSpki.replace('-----BEGIN PUBLIC KEY-----', '----- begin  public key -----').replace('-----END PUBLIC KEY-----', '-----end public key-----'),
    'JSON-escaped slashes (\\/)': rsaSpki.replace(/\//g, '\\/'),
    'a body in one long line': rsaSpki.replace(/\n(?!-)/g, '').replace('-----BEGIN PUBLIC KEY-----', '-----BEGIN PUBLIC KEY-----\n'),
  };
  for (const [name, text] of Object.entries(variants)) {
    it(`accepts ${name}`, () => {
      const parsed = parseCredentialPem(text);
      assert.equal(parsed.thumbprint, expected);
      assert.equal(parsed.spkiPem, rsaSpki);
    });
  }

  it('accepts a certificate with CRLF line endings', () => {
    const cert = selfSignedCertificate();
    const parsed = parseCredentialPem(cert.certPem.replace(/\n/g, '\r\n'));
    assert.equal(parsed.certificate!.pem, cert.certPem);
  });
});

describe('parseCredentialPem: refusals (invalid_pem never quotes the input)', () => {
  it('refuses an empty or blank PEM', () => {
    assertInvalidPem('', /empty/);
    assertInvalidPem(' \n\t\r\n ', /empty/);
  });

  it('refuses a non-string', () => {
    const error = refusal(() => parseCredentialPem(42 as unknown as string));
    assert.equal(error.code, 'invalid_pem');
  });

  it('refuses garbage with no PEM block', () => {
    assertInvalidPem('hello, this is my key: Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0', /No PEM block found/);
  });

  it('refuses two public keys in one paste', () => {
    assertInvalidPem(rsaSpki + spkiPem(ecKey('P-256')), /exactly one PEM block but found 2/);
  });

  it('refuses a certificate chain, pointing at the leaf certificate', () => {
    const chain = selfSignedCertificate().certPem + selfSignedCertificate().certPem;
    assertInvalidPem(chain, /leaf certificate/);
  });

  it('refuses text before the block', () => {
    assertInvalidPem(`Here is the key of prod-backend-7:\n${rsaSpki}`, /before the -----BEGIN line/);
  });

  it('refuses text after the block', () => {
    assertInvalidPem(`${rsaSpki}\nbag attributes of prod-backend-7`, /after the -----END line/);
  });

  it('refuses a block without an END line (truncated paste)', () => {
    assertInvalidPem(rsaSpki.slice(0, 200), /no -----END line/);
  });

  it('refuses an END line without a BEGIN line', () => {
    assertInvalidPem(rsaSpki.slice(60), /no -----BEGIN line/);
  });

  it('refuses mismatched BEGIN and END labels', () => {
    assertInvalidPem(rsaSpki.replace('END PUBLIC KEY', 'END CERTIFICATE'), /labels .* do not match/);
  });

  it('refuses a body that is not base64', () => {
    assertInvalidPem(rsaSpki.replace(/\n[A-Za-z]/, '\n*'), /not valid base64/);
    assertInvalidPem(rsaSpki.replace('IDAQAB', 'IDAQA'), /not valid base64/);
  });

  it('refuses an empty block', () => {
    assertInvalidPem('-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----', /empty/);
  });

  it('refuses base64 that is not DER', () => {
    const junk = randomBytes(96).toString('base64');
    assertInvalidPem(`-----BEGIN PUBLIC KEY-----\n${junk}\n-----END PUBLIC KEY-----\n`, /not a valid DER structure/);
  });

  it('refuses a DER SEQUENCE that is not an SPKI, PKCS#1 key or certificate', () => {
    // A certificate body under the PUBLIC KEY label, an SPKI under CERTIFICATE, an SPKI under RSA PUBLIC KEY.
    const certBody = pemBody(selfSignedCertificate().certPem);
    assertInvalidPem(`-----BEGIN PUBLIC KEY-----\n${certBody}\n-----END PUBLIC KEY-----\n`, /not a valid SubjectPublicKeyInfo/);
    assertInvalidPem(rsaSpki.replace(/PUBLIC KEY/g, 'CERTIFICATE'), /not a valid X\.509 certificate/);
    assertInvalidPem(rsaSpki.replace(/PUBLIC KEY/g, 'RSA PUBLIC KEY'), /not a valid PKCS#1/);
  });

  it('refuses a truncated body', () => {
    const lines = rsaSpki.trim().split('\n');
    assertInvalidPem([...lines.slice(0, 3), lines.at(-1)].join('\n'), /not a valid DER structure/);
  });

  it('refuses a certificate signing request, saying what it is', () => {
    const csr = rsaSpki.replace(/PUBLIC KEY/g, 'CERTIFICATE REQUEST');
    assertInvalidPem(csr, /certificate signing request/);
  });

  it('refuses other PEM types without echoing the label', () => {
    const error = refusal(() => parseCredentialPem(rsaSpki.replace(/PUBLIC KEY/g, 'ZEBRA BLOB')));
    assert.equal(error.code, 'invalid_pem');
    assert.match(error.message, /Unsupported PEM block type/);
    assert.doesNotMatch(error.message, /ZEBRA/);
  });

  it('refuses an OpenSSH public key line with conversion advice', () => {
    assertInvalidPem(`ssh-ed25519 ${randomBytes(51).toString('base64')} me@laptop`, /ssh-keygen -e -m PKCS8/);
  });

  it('refuses bare base64 without the PEM armor', () => {
    assertInvalidPem(pemBody(rsaSpki), /armor is missing/);
  });

  it('refuses a JWK', () => {
    assertInvalidPem(JSON.stringify(rsa.publicKey.export({ format: 'jwk' })), /JWK/);
  });

  it(`refuses more than ${MAX_PEM_LENGTH} characters`, () => {
    assertInvalidPem(rsaSpki + ' '.repeat(10) + 'A'.repeat(MAX_PEM_LENGTH), /too long/);
  });

  it('never quotes the input, whatever the problem', () => {
    const secretish = 'SECRET-MARKER-0123456789-abcdefghij';
    for (const input of [
      secretish,
      `${secretish}\n${rsaSpki}`,
      `${rsaSpki}${secretish}`,
      `-----BEGIN ${secretish}-----\nAAAA\n-----END ${secretish}-----`,
    ]) {
      const error = refusal(() => parseCredentialPem(input));
      assert.equal(error.code, 'invalid_pem');
      assertNoLeak(error, secretish);
    }
  });
});

describe('parseCredentialPem: key types other than RSA, EC P-256/P-384/P-521 and Ed25519', () => {
  const cases: Array<[string, () => string, RegExp]> = [
    ['DSA', () => spkiPem(generateKeyPairSync('dsa', { modulusLength: 1024, divisorLength: 160 })), /DSA/],
    ['X25519', () => spkiPem(generateKeyPairSync('x25519')), /key-agreement/],
    ['X448', () => spkiPem(generateKeyPairSync('x448')), /key-agreement/],
    // @types/node has no 'dh' overload; Node supports it.
    ['Diffie-Hellman', () => spkiPem((generateKeyPairSync as (type: string, options: object) => KeyPair)('dh', { group: 'modp14' })), /key-agreement/],
    ['Ed448', () => spkiPem(generateKeyPairSync('ed448')), /Ed448/],
    ['EC secp256k1', () => spkiPem(ecKey('secp256k1')), /curve/],
    ['RSA-PSS-restricted', () => spkiPem(generateKeyPairSync('rsa-pss', { modulusLength: 2048 })), /RSA-PSS/],
  ];
  for (const [name, make, pattern] of cases) {
    it(`refuses ${name} keys with unsupported_key_type`, () => {
      const error = refusal(() => parseCredentialPem(make()));
      assert.equal(error.code, 'unsupported_key_type');
      assert.equal(error.field, 'pem');
      assert.match(error.message, pattern);
      assert.match(error.message, /Supported keys: RSA \(2048 to 4096 bits\), EC P-256, EC P-384 and Ed25519/);
    });
  }
});
