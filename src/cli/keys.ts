import { parseArgs } from 'node:util';
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { jwkThumbprint } from '../domain/credentials/index.ts';
import { loadConfig } from '../config.ts';
import { SecretBox } from '../domain/secret-box.ts';
import { openStore } from '../store/index.ts';
import { presentSigningKey } from '../http/management/signing-keys.ts';

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

/**
 * `signet keys list|rotate|revoke --tenant NAME`: the tenant's token-signing keys, on the
 * database directly (the server need not be running; a running one picks a rotation up within
 * about a second, see TenantDirectory). Shows what the Management API shows, never private keys.
 */
export async function keysTenantCommand(sub: 'list' | 'rotate' | 'revoke', args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { tenant: { type: 'string' }, json: { type: 'boolean', default: false } } });
  if (!values.tenant) throw new Error(`keys ${sub} needs --tenant NAME`);
  if (sub !== 'revoke' && positionals.length > 0) throw new Error(`keys ${sub} takes no arguments besides --tenant (got "${positionals[0]!.slice(0, 64)}")`);
  if (sub === 'revoke' && positionals.length !== 1) throw new Error('keys revoke needs exactly one KID');
  const config = loadConfig();
  const store = await openStore(config.databaseUrl, new SecretBox(config.masterKey, config.otherMasterKeys));
  try {
    const tenant = await store.tenants.getByName(values.tenant);
    if (!tenant) throw new Error(`No tenant named "${values.tenant}"`);
    const keys = store.signingKeys;
    const cliEvent = (description: string, details: Record<string, unknown>) =>
      store.logs.append({ tenantId: tenant.id, type: 'sapi', description, clientId: null, details: { ...details, via: 'cli' } });
    switch (sub) {
      case 'list': {
        const all = (await keys.list(tenant.id)).map(presentSigningKey);
        if (values.json) console.log(JSON.stringify(all, null, 2));
        else for (const k of all) console.log(`${k.kid}\t${k.current ? 'current' : k.next ? 'next' : k.previous ? 'previous' : 'revoked'}\t${k.thumbprint}\t${k.alg}`);
        return 0;
      }
      case 'rotate': {
        const before = await keys.current(tenant.id);
        const now = await keys.rotate(tenant.id, Date.now());
        cliEvent('Rotate the Application Signing Key', { kid: now.kid, previous_kid: before?.kid });
        if (values.json) console.log(JSON.stringify(presentSigningKey(now), null, 2));
        else {
          console.log(`Tenant ${values.tenant} now signs with ${now.kid}${(await keys.list(tenant.id)).some((k) => k.alg !== 'RS256') ? ' (RS256; every other algorithm\'s keys rotated too)' : ''}.`);
          // `--` before the kid: a base64url kid may begin with '-', which would otherwise read as an option.
          if (before) console.log(`The key it replaces (${before.kid}) stays published until revoked: signet keys revoke --tenant ${values.tenant} -- ${before.kid}`);
        }
        return 0;
      }
      case 'revoke': {
        const { key, changed } = await keys.revoke(tenant.id, positionals[0]!, Date.now());
        if (changed) cliEvent('Revoke an Application Signing Key', { kid: key.kid });
        if (values.json) console.log(JSON.stringify(presentSigningKey(key), null, 2));
        else console.log(changed ? `Revoked ${key.kid}: it is no longer published, and tokens it signed no longer verify.` : `${key.kid} was already revoked.`);
        return 0;
      }
    }
  } finally {
    await store.close();
  }
}
