import type { CredentialType } from '../api.ts';

/** The server's own words, so the refusal reads the same whether caught here or there. */
export const PRIVATE_KEY_MESSAGE =
  'This is a private key. Upload only the public key (PEM) or X.509 certificate, and keep the private key on your server.';

export const credentialTypeOf = (pem: string): CredentialType => (/-----BEGIN CERTIFICATE-----/.test(pem) ? 'x509_cert' : 'public_key');

/**
 * A PEM armor line naming a private key (PKCS#8, PKCS#1, SEC1, OpenSSH, encrypted…). Catching
 * the obvious case here means such a key never leaves the browser; the server still checks
 * everything else (a bare base64 body, DER outlines) and refuses with private_key_refused.
 * The lookbehind starts a match only at the first dash of a run: otherwise every dash of a long
 * run is a start that scans to the run's end, and a paste of 16 KB of dashes froze the page for
 * seconds (this runs on every keystroke).
 */
export const looksLikePrivateKey = (pem: string) => /(?<!-)-{3,}\s*BEGIN[^-\n]*PRIVATE\s+KEY/i.test(pem) || /PRIVATE\s+KEY\s*-{3,}/i.test(pem);

/** Whether an API error is the private-key refusal, whose input must be wiped from the form. */
export const isPrivateKeyRefusal = (errorCode: string, message: string) =>
  errorCode === 'private_key_refused' || /\bprivate key\b(?!\s*JWT)/i.test(message);

export const MAX_PEM_FILE_BYTES = 64 * 1024;
