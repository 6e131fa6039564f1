/**
 * checkAssertionTyp: the `typ` header of an assertion whose signature is already verified.
 *
 * Contract: accepts an absent `typ`, `JWT` or `client-authentication+jwt` (rfc7523bis), compared
 * case-insensitively and with an optional `application/` prefix, both as RFC 7515 §4.1.9
 * specifies for media types. Any other explicit type (`at+jwt`, `dpop+jwt`, `JOSE`, …) is a
 * token minted for another purpose: throws `ClientAuthError('typ_invalid')`.
 */
import { fail, show } from './failure.ts';

const APPLICATION_PREFIX = 'application/';

export function checkAssertionTyp(typ: unknown, clientId: string): void {
  if (typ === undefined) return;
  if (typeof typ === 'string') {
    let t = typ.toLowerCase();
    if (t.startsWith(APPLICATION_PREFIX)) t = t.slice(APPLICATION_PREFIX.length);
    if (t === 'jwt' || t === 'client-authentication+jwt') return;
  }
  fail(
    'typ_invalid',
    `'typ' header ${typeof typ === 'string' ? show(typ) : 'value'} is not accepted for a client assertion: omit it or use "JWT" or "client-authentication+jwt"`,
    clientId,
  );
}
