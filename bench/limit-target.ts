/**
 * Starts the limit server (bench/limit-server.mjs) in its own process with fresh keys: the
 * client's RS256 key pair (public half preloaded by the server) and the access-token signing
 * key for the chosen algorithm — RSA-2048 for RS256/PS256, as Signet and the peer sign with.
 */
import { generateKeyPairSync, randomBytes, createSecretKey, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { API_IDENTIFIER, API_SCOPE, freePort, startServerProcess, stopProcess, waitForOk, waitForReadyMessage, type Target } from './common.ts';
import type { AccessTokenAlg, LimitConfig } from './limit-server.mjs';

const ROOT = new URL('..', import.meta.url).pathname;

/** The access-token signing key: the private half goes to the server, `verifyKey` checks its tokens. */
function signingKey(alg: AccessTokenAlg): { signingKey: string; verifyKey: KeyObject } {
  if (alg === 'HS256') {
    const secret = randomBytes(32);
    return { signingKey: secret.toString('base64url'), verifyKey: createSecretKey(secret) };
  }
  const pair =
    alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : alg === 'EdDSA' ? generateKeyPairSync('ed25519')
    : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { signingKey: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, verifyKey: pair.publicKey };
}

export async function startLimit(opts: { workers: number; logDir: string; alg?: AccessTokenAlg }): Promise<Target & { verifyKey: KeyObject }> {
  const alg = opts.alg ?? 'RS256';
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const client = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const { signingKey: key, verifyKey } = signingKey(alg);
  const config: LimitConfig = {
    port,
    workers: opts.workers,
    issuer: `${origin}/`,
    clientId: 'bench-m2m',
    clientPublicKeyPem: client.publicKey.export({ type: 'spki', format: 'pem' }) as string,
    accessTokenAlg: alg,
    signingKey: key,
    kid: 'bench-limit',
    api: API_IDENTIFIER,
    scope: API_SCOPE,
    lifetimeSeconds: 86_400,
  };
  const child = startServerProcess(process.execPath, ['bench/limit-server.mjs'], {
    cwd: ROOT,
    env: { ...process.env, LIMIT_CONFIG: JSON.stringify(config) },
    ipc: true,
    logFile: join(opts.logDir, `limit-${alg}-w${opts.workers}.log`),
  });
  const stop = () => stopProcess(child);
  try {
    await waitForReadyMessage(child, 'limit server');
    await waitForOk(`${origin}/jwks`, child);
    return {
      name: 'limit',
      workers: opts.workers,
      origin,
      tokenPath: '/token',
      issuer: config.issuer,
      jwksUrl: `${origin}/jwks`,
      rootPid: child.pid!,
      assertion: {
        clientId: config.clientId,
        audience: config.issuer,
        privateKeyPem: client.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      },
      form: { audience: API_IDENTIFIER, scope: API_SCOPE },
      expectedAudience: API_IDENTIFIER,
      alg,
      ...(alg === 'HS256' && { hsKey: verifyKey }),
      notes: [
        `node:http + node:crypto only, ${alg} access token; jti in an in-process Map${opts.workers > 1 ? ` per worker (${opts.workers})` : ''}; no database, no logging`,
      ],
      stop,
      verifyKey,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
