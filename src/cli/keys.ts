import { parseArgs } from 'node:util';
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { jwkThumbprint } from '../domain/credentials/index.ts';

/**
 * `signet keys generate`: a key pair for Private Key JWT. The private key is written as PKCS#8
 * (what the auth0 SDK's clientAssertionSigningKey and jose's importPKCS8 expect) with mode
 * 0600 and never printed; the public key is printed, ready to paste as a credential.
 */
export async function keysGenerate(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { alg: { type: 'string', default: 'RS256' }, bits: { type: 'string', default: '2048' }, out: { type: 'string', default: 'private.pem' }, json: { type: 'boolean', default: false } },
  });
  const alg = values.alg!;
  let privateKey: KeyObject;
  if (/^(RS|PS)(256|384|512)$/.test(alg)) {
    const bits = Number(values.bits);
    if (!Number.isInteger(bits) || bits < 2048 || bits > 4096) throw new Error('--bits must be between 2048 and 4096');
    privateKey = generateKeyPairSync('rsa', { modulusLength: bits }).privateKey;
  } else if (alg === 'ES256' || alg === 'ES384') {
    privateKey = generateKeyPairSync('ec', { namedCurve: alg === 'ES256' ? 'P-256' : 'P-384' }).privateKey;
  } else if (alg === 'EdDSA') {
    privateKey = generateKeyPairSync('ed25519').privateKey;
  } else {
    throw new Error(`Unsupported --alg ${alg}`);
  }
  const out = resolve(values.out!);
  try {
    writeFileSync(out, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new Error(`${out} already exists; choose another --out (an existing key is never overwritten)`);
    throw err;
  }
  const publicKey = createPublicKey(privateKey);
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const kid = jwkThumbprint(publicKey.export({ format: 'jwk' }));
  if (values.json) console.log(JSON.stringify({ private_key_path: out, public_key_pem: publicPem, kid, alg }, null, 2));
  else {
    console.error(`Wrote the private key to ${out} (mode 0600). Keep it on your server; upload only the public key below.`);
    console.error(`kid (RFC 7638 thumbprint): ${kid}`);
    process.stdout.write(publicPem);
  }
  return 0;
}
