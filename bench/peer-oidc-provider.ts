/**
 * The peer: oidc-provider v8 (the certified OpenID Provider library for Node; v9 needs Node 22)
 * configured for the same flow Signet serves — client_credentials, private_key_jwt with an
 * RS256 client assertion, and a JWT access token for one API (resource indicator) signed with
 * the measured algorithm: the resource server's `jwt.sign.alg` selects the provider key of that
 * type, or for HS256 `jwt.sign.key` is the API's shared secret (oidc-provider's own HS support).
 * It runs in its own process; with PEER_WORKERS > 1 a node:cluster primary forks that many
 * workers sharing the port, as `signet serve --workers N` does.
 *
 * Configuration arrives as JSON in PEER_CONFIG (see PeerConfig) from bench/peer-target.ts.
 * Defaults are kept where they don't touch this flow: the in-memory adapter (a per-process
 * LRU, so the jti replay check is neither shared between workers nor durable), proxy off.
 */
import cluster from 'node:cluster';
import { createSecretKey } from 'node:crypto';
import { createServer } from 'node:http';
import Provider, { errors } from 'oidc-provider';

export interface PeerConfig {
  port: number;
  workers: number;
  issuer: string;
  clientId: string;
  /** The client's public key (RS256), as registered. */
  clientJwk: Record<string, unknown>;
  /** The provider's private signing keys: an RSA 2048 one always, and one of the access-token alg's type. */
  signingJwks: Record<string, unknown>[];
  /** The access-token algorithm; for HS256, `hsSecret` (base64url) is the key. */
  alg: string;
  hsSecret?: string;
  resource: string;
  scope: string;
  /** For the cookies keygrip; unused by this flow but oidc-provider warns without it. */
  cookieKey: string;
}

const config = JSON.parse(process.env.PEER_CONFIG ?? 'null') as PeerConfig | null;
if (!config) throw new Error('PEER_CONFIG is required (bench/peer-target.ts starts this process)');

if (config.workers > 1 && cluster.isPrimary) {
  let listening = 0;
  let stopping = false;
  cluster.on('listening', () => {
    if (++listening === config.workers) process.send?.({ ready: true });
  });
  cluster.on('exit', (w, code, signal) => {
    if (!stopping) console.error(`worker ${w.process.pid} exited (${signal ?? code})`);
  });
  for (let i = 0; i < config.workers; i++) cluster.fork();
  const stop = () => {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.kill('SIGTERM');
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else {
  const hsKey = config.hsSecret ? createSecretKey(Buffer.from(config.hsSecret, 'base64url')) : undefined;
  const provider = new Provider(config.issuer, {
    clients: [
      {
        client_id: config.clientId,
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'RS256',
        jwks: { keys: [config.clientJwk] },
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      },
    ],
    jwks: { keys: config.signingJwks },
    cookies: { keys: [config.cookieKey] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => undefined,
        useGrantedResource: () => false,
        // One known API, like Signet's resource server: a JWT access token for it, signed with `alg`.
        getResourceServerInfo: (_ctx: unknown, resourceIndicator: string) => {
          if (resourceIndicator !== config.resource) throw new errors.InvalidTarget();
          return {
            scope: config.scope,
            audience: config.resource,
            accessTokenTTL: 86_400,
            accessTokenFormat: 'jwt',
            jwt: { sign: config.alg === 'HS256' ? { alg: 'HS256', key: hsKey } : { alg: config.alg } },
          };
        },
      },
    },
  });
  provider.on('server_error', (_ctx: unknown, err: Error) => console.error('server_error', err));
  const server = createServer(provider.callback());
  server.listen(config.port, '127.0.0.1', () => {
    if (cluster.isPrimary) process.send?.({ ready: true });
  });
  const stop = () => server.close(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  // Keep-alive connections would hold close() open; the benchmark has finished sending by now.
  process.once('SIGTERM', () => server.closeAllConnections());
}
