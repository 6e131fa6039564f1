import { sign as rsaSign } from 'node:crypto';
import type { TenantSigningKey } from './access-token.ts';

/**
 * Signs a JWT with the tenant's RS256 key. Hand-rolled instead of a JOSE library: the header is
 * a per-key constant, and this runs on every token request. The RSA signature — most of a token
 * request's CPU — is computed on libuv's thread pool (the callback form of crypto.sign), so one
 * process uses every core.
 */
export async function signJwt(payload: Record<string, unknown>, key: TenantSigningKey): Promise<string> {
  const signingInput = `${encodedHeader(key)}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  const signature = await new Promise<Buffer>((resolve, reject) =>
    rsaSign('sha256', Buffer.from(signingInput), key.privateKey, (err, sig) => (err ? reject(err) : resolve(sig))),
  );
  return `${signingInput}.${signature.toString('base64url')}`;
}

const headers = new WeakMap<TenantSigningKey, string>();
function encodedHeader(key: TenantSigningKey): string {
  let h = headers.get(key);
  if (!h) {
    h = Buffer.from(JSON.stringify({ alg: key.alg, typ: 'JWT', kid: key.kid })).toString('base64url');
    headers.set(key, h);
  }
  return h;
}
