import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throwaway CA-less TLS certificate for `signet.test` and `*.signet.test`, made with openssl.
 * Tests serve HTTPS because the Auth0 SDKs only speak https://{domain}; a three-label wildcard
 * is used because TLS clients refuse wildcards directly under a single label like `localhost`.
 */
let cached: { cert: string; key: string } | undefined;
export function testCertificate(): { cert: string; key: string } {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'signet-tls-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=signet.test',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    '-addext', 'subjectAltName=DNS:signet.test,DNS:*.signet.test',
  ], { stdio: 'ignore' });
  cached = { cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') };
  return cached;
}

/**
 * A self-signed certificate for exactly `names` (no wildcards: TLS clients refuse `*.localhost`),
 * written to files as `SIGNET_TLS_CERT`/`SIGNET_TLS_KEY` and `NODE_EXTRA_CA_CERTS` take them.
 */
export function certificateFiles(names: string[]): { certFile: string; keyFile: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'signet-tls-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${names[0]}`,
    '-keyout', keyFile, '-out', certFile,
    '-addext', `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}`,
  ], { stdio: 'ignore' });
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8') };
}
