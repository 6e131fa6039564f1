/**
 * A private key must never be accepted, stored or echoed, in any form or disguise, and the
 * customer must be told to upload the public part and keep the private key on their server.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkNewCredential } from './check-new-credential.ts';
import { parseCredentialPem } from './parse-credential-pem.ts';
import { PRIVATE_KEY_REFUSED_MESSAGE } from './refuse-private-key.ts';
import { assertNoLeak, ecKey, ed25519Key, pemBody, refusal, rsaKey, selfSignedCertificate, spkiPem } from '../../../test/support/credential-material.ts';

const rsa = rsaKey(2048);
const ec = ecKey('P-256');

/** Every PEM private-key form customers actually have on disk. */
function privateKeyPems(): Record<string, string> {
  const work = mkdtempSync(join(tmpdir(), 'signet-private-'));
  try {
    const pkcs8 = join(work, 'dsa.pem');
    const dsa = generateKeyPairSync('dsa', { modulusLength: 1024, divisorLength: 160 });
    writeFileSync(pkcs8, dsa.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    execFileSync('openssl', ['pkey', '-in', pkcs8, '-traditional', '-out', join(work, 'dsa-trad.pem')], { stdio: 'ignore' });
    const dsaTraditional = readFileSync(join(work, 'dsa-trad.pem'), 'utf8');
    assert.match(dsaTraditional, /BEGIN DSA PRIVATE KEY/);
    return {
      'PKCS#8 RSA (PRIVATE KEY)': rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      'PKCS#1 RSA (RSA PRIVATE KEY)': rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string,
      'PKCS#8 EC (PRIVATE KEY)': ec.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      'SEC1 EC (EC PRIVATE KEY)': ec.privateKey.export({ type: 'sec1', format: 'pem' }) as string,
      'PKCS#8 Ed25519 (PRIVATE KEY)': ed25519Key().privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      'encrypted PKCS#8 (ENCRYPTED PRIVATE KEY)': rsa.privateKey.export({
        type: 'pkcs8',
        format: 'pem',
        cipher: 'aes-256-cbc',
        passphrase: 'correct horse battery staple',
      }) as string,
      'OpenSSL traditional DSA (DSA PRIVATE KEY)': dsaTraditional,
      'OpenSSH (OPENSSH PRIVATE KEY)': openSshLookingKey(),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The shape of `ssh-keygen` output: the openssh-key-v1 magic, then opaque bytes. */
function openSshLookingKey(): string {
  const body = Buffer.concat([Buffer.from('openssh-key-v1\0\0\0\0\x04none\0\0\0\x04none', 'latin1'), randomBytes(300)]);
  const lines = body.toString('base64').match(/.{1,70}/g)!;
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join('\n')}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

const PRIVATE_PEMS = privateKeyPems();

/** Refused with the exact code, field and message, and nothing of `secret` anywhere on the error. */
function assertRefused(input: string, secret: string): void {
  const error = refusal(() => parseCredentialPem(input));
  assert.equal(error.code, 'private_key_refused');
  assert.equal(error.field, 'pem');
  assert.equal(error.message, PRIVATE_KEY_REFUSED_MESSAGE);
  assertNoLeak(error, secret);
}

describe('private keys are refused', () => {
  it('says both things: upload only the public key or certificate, keep the private key on your server', () => {
    assert.match(PRIVATE_KEY_REFUSED_MESSAGE, /private key/i);
    assert.match(PRIVATE_KEY_REFUSED_MESSAGE, /only the public key .* or X\.509 certificate/);
    assert.match(PRIVATE_KEY_REFUSED_MESSAGE, /keep the private key on your server/);
  });

  for (const [form, pem] of Object.entries(PRIVATE_PEMS)) {
    describe(form, () => {
      const body = pemBody(pem);
      it('is refused as pasted', () => assertRefused(pem, body));
      it('is refused with CRLF line endings', () => assertRefused(pem.replace(/\n/g, '\r\n'), body));
      it('is refused with literal \\n sequences', () => assertRefused(pem.replace(/\n/g, '\\n'), body));
      it('is refused with a lower-case, oddly spaced label', () =>
        assertRefused(pem.replace(/-----(BEGIN|END) ([A-Z ]+)-----/g, (_, k: string, l: string) => `----- ${k.toLowerCase()}  ${l.toLowerCase().replace(/ /g, ' \t ')} -----`), body));
      it('is refused when hidden after a certificate', () => assertRefused(selfSignedCertificate().certPem + pem, body));
      it('is refused when hidden before a public key, with prose around it', () =>
        assertRefused(`my keys, see below\n\n${pem}\nand the public one:\n${spkiPem(rsa)}`, body));
    });
  }

  describe('without a PEM label (raw base64 of the DER)', () => {
    for (const [form, pem] of Object.entries(PRIVATE_PEMS)) {
      const body = pemBody(pem);
      const multiLine = pem.split('\n').filter((l) => !l.startsWith('-----')).join('\n');
      it(`refuses ${form} as one base64 line`, () => assertRefused(body, body));
      it(`refuses ${form} as base64 lines`, () => assertRefused(multiLine, body));
      it(`refuses ${form} after a few words`, () => assertRefused(`my key: ${body}`, body));
      it(`refuses ${form} under a PUBLIC KEY label`, () =>
        assertRefused(`-----BEGIN PUBLIC KEY-----\n${multiLine}\n-----END PUBLIC KEY-----\n`, body));
      if (!form.startsWith('encrypted')) {
        // Each line on its own (e.g. a JSON array of lines): only the first line's outline is
        // at hand. (An encrypted key's AlgorithmIdentifier does not fit in one line.)
        it(`refuses ${form} as quoted lines`, () =>
          assertRefused(JSON.stringify(multiLine.split('\n'), null, 2), body));
      }
      it(`refuses ${form} under a CERTIFICATE label`, () =>
        assertRefused(`-----BEGIN CERTIFICATE-----\n${multiLine}\n-----END CERTIFICATE-----\n`, body));
    }
  });

  it('refuses a PKCS#12 (.p12/.pfx) bundle, which carries the private key', () => {
    const cert = selfSignedCertificate();
    const work = mkdtempSync(join(tmpdir(), 'signet-p12-'));
    try {
      const [keyFile, certFile, p12] = ['k.pem', 'c.pem', 'b.p12'].map((f) => join(work, f)) as [string, string, string];
      writeFileSync(keyFile, cert.keyPem);
      writeFileSync(certFile, cert.certPem);
      execFileSync('openssl', ['pkcs12', '-export', '-inkey', keyFile, '-in', certFile, '-out', p12, '-passout', 'pass:x'], { stdio: 'ignore' });
      const base64 = readFileSync(p12).toString('base64');
      assertRefused(base64, base64);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('refuses a PuTTY private key file', () => {
    const ppk = `PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: me\nPublic-Lines: 2\n${randomBytes(48).toString('base64')}\nPrivate-Lines: 1\n${randomBytes(48).toString('base64')}\n`;
    assertRefused(ppk, ppk.split('\n')[6]!);
  });

  it('refuses a private JWK (it has "d")', () => {
    const jwk = JSON.stringify(ec.privateKey.export({ format: 'jwk' }));
    assertRefused(jwk, JSON.parse(jwk).d);
  });

  it('refuses before any other check of the credential (even a wrong alg or type)', () => {
    const pem = PRIVATE_PEMS['PKCS#8 RSA (PRIVATE KEY)']!;
    const error = refusal(() =>
      checkNewCredential({ credential_type: 'x509_cert', pem, alg: 'ES256', parse_expiry_from_cert: true }, { now: new Date(), existing: [] }),
    );
    assert.equal(error.code, 'private_key_refused');
    assertNoLeak(error, pemBody(pem));
  });

  it('does not mistake prose about private keys for one (it is stray text)', () => {
    const error = refusal(() => parseCredentialPem(`${spkiPem(rsa)}\nremember to keep your private key safe`));
    assert.equal(error.code, 'invalid_pem');
  });

  it('accepts every public form, whose DER never looks like a private key', () => {
    for (const pem of [spkiPem(rsa), spkiPem(ec), spkiPem(ed25519Key()), selfSignedCertificate({ key: 'ec256' }).certPem]) {
      assert.doesNotThrow(() => parseCredentialPem(pem));
    }
  });
});
