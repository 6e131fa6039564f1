/**
 * Key and certificate material generated at test time for the credential tests (never
 * committed keys). Keys come from node:crypto; certificates from the `openssl` CLI, because
 * Node can parse X.509 but not issue it. Expensive keys are generated once per test process.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { InvalidInputError } from '../../src/domain/errors.ts';

export interface KeyPair {
  publicKey: KeyObject;
  privateKey: KeyObject;
}

const cache = new Map<string, KeyPair>();
function cached(id: string, make: () => KeyPair): KeyPair {
  let pair = cache.get(id);
  if (!pair) cache.set(id, (pair = make()));
  return pair;
}

/** RSA of any size; 1024 is test-only (allowed by Node, refused by Signet). */
export const rsaKey = (bits: number): KeyPair =>
  cached(`rsa${bits}`, () => generateKeyPairSync('rsa', { modulusLength: bits }));
export const ecKey = (curve: 'P-256' | 'P-384' | 'P-521' | 'secp256k1'): KeyPair =>
  cached(`ec${curve}`, () => generateKeyPairSync('ec', { namedCurve: curve }));
export const ed25519Key = (): KeyPair => cached('ed25519', () => generateKeyPairSync('ed25519'));

export const spkiPem = (pair: KeyPair): string => pair.publicKey.export({ type: 'spki', format: 'pem' }) as string;
export const pkcs1Pem = (pair: KeyPair): string => pair.publicKey.export({ type: 'pkcs1', format: 'pem' }) as string;

/** The base64 body of a PEM, whitespace removed. */
export const pemBody = (pem: string): string =>
  pem
    .replace(/-----[^-]+-----/g, '')
    .replace(/\s+/g, '');

let workDir: string | undefined;
function dir(): string {
  if (!workDir) {
    workDir = mkdtempSync(join(tmpdir(), 'signet-credentials-'));
    const created = workDir;
    process.once('exit', () => rmSync(created, { recursive: true, force: true }));
  }
  return workDir;
}

let counter = 0;
function openssl(args: string[]): void {
  execFileSync('openssl', args, { cwd: dir(), stdio: ['ignore', 'ignore', 'pipe'] });
}

export interface TestCertificate {
  certPem: string;
  keyPem: string;
  file: string;
}

const NEW_KEY: Record<'rsa2048' | 'rsa1024' | 'ec256' | 'ec384' | 'ed25519', string[]> = {
  rsa2048: ['-newkey', 'rsa:2048'],
  rsa1024: ['-newkey', 'rsa:1024'],
  ec256: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  ec384: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384'],
  ed25519: ['-newkey', 'ed25519'],
};

/** A self-signed certificate valid from now for `days` days. */
export function selfSignedCertificate(
  opts: { key?: keyof typeof NEW_KEY; days?: number; subject?: string } = {},
): TestCertificate {
  const n = ++counter;
  const [key, cert] = [`k${n}.pem`, `c${n}.pem`];
  openssl([
    'req', '-x509', ...NEW_KEY[opts.key ?? 'rsa2048'], '-nodes', '-keyout', key, '-out', cert,
    '-days', String(opts.days ?? 30), '-subj', opts.subject ?? '/CN=test',
  ]);
  return { certPem: readFileSync(join(dir(), cert), 'utf8'), keyPem: readFileSync(join(dir(), key), 'utf8'), file: join(dir(), cert) };
}

const CA_CONFIG = `[ ca ]
default_ca = signet_test
[ signet_test ]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any
unique_subject = no
[ any ]
commonName = supplied
`;

/**
 * A self-signed RSA certificate with an exact validity window, e.g. one that expired in 2021.
 * OpenSSL 3.0 has no -not_before/-not_after (3.4+), and faketime is not installed, so this goes
 * through `openssl ca -selfsign -startdate -enddate`. Dates are YYYYMMDDHHMMSSZ.
 */
export function datedCertificate(startDate: string, endDate: string): TestCertificate {
  const n = ++counter;
  const [key, csr, cert, cnf] = [`k${n}.pem`, `r${n}.csr`, `c${n}.pem`, `ca${n}.cnf`];
  writeFileSync(join(dir(), cnf), CA_CONFIG);
  writeFileSync(join(dir(), 'index.txt'), '', { flag: 'a' });
  writeFileSync(join(dir(), 'serial'), `${(0x1000 + n).toString(16).padStart(6, '0')}\n`);
  openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', csr, '-subj', '/CN=dated']);
  openssl([
    'ca', '-batch', '-config', cnf, '-selfsign', '-keyfile', key, '-in', csr, '-out', cert,
    '-startdate', startDate, '-enddate', endDate, '-notext',
  ]);
  return { certPem: readFileSync(join(dir(), cert), 'utf8'), keyPem: readFileSync(join(dir(), key), 'utf8'), file: join(dir(), cert) };
}

/** What the openssl CLI says about a certificate, to pin our values to an independent tool. */
export function opensslCertificateField(file: string, args: string[]): string {
  return execFileSync('openssl', ['x509', '-in', file, '-noout', ...args], { encoding: 'utf8' }).trim();
}

/** Runs `fn`, which must throw an InvalidInputError, and returns that error. */
export function refusal(fn: () => unknown): InvalidInputError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof InvalidInputError, `expected an InvalidInputError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a refusal, but the call succeeded');
}

/**
 * Asserts that nothing observable on the error — message, stack, JSON form, inspected form
 * with hidden properties, cause — contains any 20-character slice of `secret`.
 */
export function assertNoLeak(error: Error, secret: string): void {
  assert.equal(error.cause, undefined, 'a refusal must not carry a cause');
  const haystack = [
    error.message,
    String(error.stack),
    JSON.stringify(error),
    inspect(error, { showHidden: true, depth: null }),
    ...Object.getOwnPropertyNames(error).map((p) => String((error as unknown as Record<string, unknown>)[p])),
  ].join('\n');
  const compact = secret.replace(/\s+/g, '');
  for (let i = 0; i + 20 <= compact.length; i++) {
    const slice = compact.slice(i, i + 20);
    if (haystack.includes(slice)) assert.fail(`the error leaks input bytes at offset ${i}`);
  }
}
