/**
 * What Signet records about an uploaded X.509 certificate: canonical PEM, subject and issuer
 * distinguished names, validity window and SHA-256 thumbprint.
 *
 * Contract: `certificateDetails(cert)` is pure and returns the values below, or throws
 * `InvalidInputError('invalid_pem', …)` when the validity dates cannot be read (never quoting
 * the certificate).
 * - `subjectDn`/`issuerDn`: RFC 4514 strings, most specific RDN first, exactly what
 *   `openssl x509 -noout -subject -nameopt RFC2253` prints (for ASCII names).
 * - `thumbprintSha256`: base64url(SHA-256(DER)) without padding — the value Auth0 returns as
 *   `thumbprint_sha256` and the Terraform provider recomputes.
 * Chain, signature and key usage are deliberately not checked: a credential certificate is only
 * a carrier for the public key (often self-signed), and what matters is its validity window.
 */
import { createHash, type X509Certificate } from 'node:crypto';
import { encodePem, invalidPem } from './pem-armor.ts';

export interface CertificateDetails {
  pem: string;
  subjectDn: string;
  issuerDn: string;
  notBefore: Date;
  notAfter: Date;
  thumbprintSha256: string;
}

export function certificateDetails(cert: X509Certificate): CertificateDetails {
  return {
    pem: encodePem('CERTIFICATE', cert.raw),
    subjectDn: toRfc4514(cert.subject),
    issuerDn: toRfc4514(cert.issuer),
    notBefore: readCertificateTime(cert.validFrom),
    notAfter: readCertificateTime(cert.validTo),
    thumbprintSha256: createHash('sha256').update(cert.raw).digest('base64url'),
  };
}

/**
 * Node prints names one RDN per line in certificate order (least specific first), values
 * already escaped per RFC 2253 (so a value can contain neither a raw newline nor a raw "+"),
 * and the parts of a multi-valued RDN joined by " + ". RFC 4514 wants the reverse order, ","
 * between RDNs and "+" inside one.
 */
function toRfc4514(multiline: string): string {
  return multiline
    .split('\n')
    .filter((rdn) => rdn !== '')
    .reverse()
    .map((rdn) => rdn.split(' + ').join('+'))
    .join(',');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Node 20 only offers OpenSSL's ASN1_TIME_print text ("Jan  1 00:00:00 2021 GMT");
 * `validToDate` arrived in Node 22.10. Parsed by hand rather than with Date.parse, whose
 * handling of this non-standard format is implementation-defined.
 */
function readCertificateTime(text: string): Date {
  const m = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d+))? (\d{4}) GMT$/.exec(text);
  const month = m ? MONTHS.indexOf(m[1]!) : -1;
  if (!m || month < 0) throw invalidPem('The validity dates of the certificate could not be read.');
  const millis = m[6] ? Number(m[6].slice(0, 3).padEnd(3, '0')) : 0;
  return new Date(Date.UTC(Number(m[7]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), millis));
}
