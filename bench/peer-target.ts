/**
 * Starts the peer (bench/peer-oidc-provider.ts) in its own process with fresh keys: the
 * client's RS256 key pair (public half registered with the provider) and the provider's
 * signing key for access tokens of the measured algorithm's type — RSA 2048 for RS256/PS256
 * (the size Signet signs with), P-256 for ES256, Ed25519 for EdDSA, a 32-byte secret for HS256.
 */
import { createSecretKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { API_IDENTIFIER, API_SCOPE, freePort, startServerProcess, stopProcess, waitForOk, waitForReadyMessage, type AccessTokenAlg, type Target } from './common.ts';
import type { PeerConfig } from './peer-oidc-provider.ts';

const ROOT = new URL('..', import.meta.url).pathname;

export async function startPeer(opts: { workers: number; logDir: string; alg?: AccessTokenAlg }): Promise<Target> {
  const alg = opts.alg ?? 'RS256';
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const client = generateKeyPairSync('rsa', { modulusLength: 2048 });
  // The provider's keystore always holds an RSA key (its ID tokens' default); the access token's
  // key is the one whose type matches the alg (oidc-provider picks it by alg), or a secret for HS256.
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingJwks = [{ ...rsa.privateKey.export({ format: 'jwk' }), kid: 'bench-rsa', alg: 'RS256', use: 'sig' }];
  if (alg === 'PS256') signingJwks.push({ ...rsa.privateKey.export({ format: 'jwk' }), kid: 'bench-PS256', alg, use: 'sig' });
  if (alg === 'ES256' || alg === 'EdDSA') {
    const pair = alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
    signingJwks.push({ ...pair.privateKey.export({ format: 'jwk' }), kid: `bench-${alg}`, alg, use: 'sig' });
  }
  const hsSecret = alg === 'HS256' ? randomBytes(32) : undefined;
  const clientKid = 'bench-client';
  const config: PeerConfig = {
    port,
    workers: opts.workers,
    issuer: origin,
    clientId: 'bench-m2m',
    clientJwk: { ...client.publicKey.export({ format: 'jwk' }), kid: clientKid, alg: 'RS256', use: 'sig' },
    signingJwks,
    alg,
    ...(hsSecret && { hsSecret: hsSecret.toString('base64url') }),
    resource: API_IDENTIFIER,
    scope: API_SCOPE,
    cookieKey: randomBytes(32).toString('hex'),
  };
  const child = startServerProcess(process.execPath, ['--import', 'tsx', 'bench/peer-oidc-provider.ts'], {
    cwd: ROOT,
    env: { ...process.env, PEER_CONFIG: JSON.stringify(config), NODE_ENV: 'production' },
    ipc: true,
    logFile: join(opts.logDir, `oidc-provider-${alg}-w${opts.workers}.log`),
  });
  const stop = () => stopProcess(child);
  try {
    // Every worker listening (the primary counts them), then the discovery document answers.
    await waitForReadyMessage(child, 'oidc-provider');
    await waitForOk(`${origin}/.well-known/openid-configuration`, child);
    return {
      name: 'oidc-provider',
      workers: opts.workers,
      origin,
      tokenPath: '/token',
      issuer: origin,
      jwksUrl: `${origin}/jwks`,
      rootPid: child.pid!,
      assertion: {
        clientId: config.clientId,
        audience: origin, // the issuer identifier, as Signet's strict policy requires of its own clients
        kid: clientKid,
        privateKeyPem: client.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      },
      form: { resource: API_IDENTIFIER, scope: API_SCOPE },
      expectedAudience: API_IDENTIFIER,
      alg,
      ...(hsSecret && { hsKey: createSecretKey(hsSecret) }),
      notes: [
        opts.workers > 1
          ? `default in-memory adapter: each of the ${opts.workers} workers keeps its own jti LRU (1000 entries), so its replay check is per process and weaker (and cheaper) than Signet's shared one`
          : 'default in-memory adapter: the jti replay check is an in-process LRU of 1000 entries (not durable), cheaper than a database write',
        'no per-token log event or usage write',
        'runs its TypeScript entry through the tsx loader, which adds about 40 MB to each process’s peak RSS',
      ],
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
