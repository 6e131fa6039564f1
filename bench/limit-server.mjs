/**
 * The limit server: the ceiling for this machine. It does only the unavoidable work of one
 * client_credentials + private_key_jwt token request — parse the form, verify the RS256 client
 * assertion with a preloaded key, check iss/sub/aud/exp, record the jti in a Map, sign an
 * access token with a preloaded key — on plain node:http and node:crypto: no framework, no
 * database, no logging. Signet and the peer are measured against it in the same run.
 *
 * Each operation runs where Signet runs it, so Signet can never outrun its own ceiling: the RSA
 * signature on libuv's thread pool (the callback form of node:crypto: one process uses every
 * core), the assertion's verification and an ES256 or EdDSA signature in place (cheaper than
 * the pool's hand-off).
 * Plain JavaScript (types in limit-server.d.mts) so it runs on bare node, without the tsx
 * loader, which would add ~40 MB to its resident memory and start-up work to nothing it measures.
 * Configuration arrives as JSON in LIMIT_CONFIG (see LimitConfig) from bench/limit-target.ts;
 * with workers > 1 a node:cluster primary forks that many workers sharing the port (each
 * with its own jti Map, like the peer's per-process store).
 */
import cluster from 'node:cluster';
import { createServer } from 'node:http';
import { constants, createHmac, createPrivateKey, createPublicKey, createSecretKey, randomUUID, sign, verify } from 'node:crypto';

export const ACCESS_TOKEN_ALGS = Object.freeze(['RS256', 'PS256', 'ES256', 'EdDSA', 'HS256']);

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Assertions living longer than this are refused, which also bounds the jti Map. */
const MAX_ASSERTION_SECONDS = 600;
const MAX_BODY_BYTES = 16_384;

/** One case per access-token algorithm: what signing costs is the point of the comparison. */
export function accessTokenSigner(alg, signingKey) {
  switch (alg) {
    case 'RS256': {
      const key = createPrivateKey(signingKey);
      return (data, done) => sign('sha256', data, key, done);
    }
    case 'PS256': {
      const key = { key: createPrivateKey(signingKey), padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };
      return (data, done) => sign('sha256', data, key, done);
    }
    // ~35 µs each: signed in place, as Signet does; the thread pool's hand-off would cost more CPU than it saves.
    case 'ES256': {
      const key = { key: createPrivateKey(signingKey), dsaEncoding: 'ieee-p1363' };
      return (data, done) => done(null, sign('sha256', data, key));
    }
    case 'EdDSA': {
      const key = createPrivateKey(signingKey);
      return (data, done) => done(null, sign(null, data, key));
    }
    case 'HS256': {
      // Microseconds of work: a thread-pool round trip would cost more than the MAC itself.
      const key = createSecretKey(Buffer.from(signingKey, 'base64url'));
      return (data, done) => done(null, createHmac('sha256', key).update(data).digest());
    }
    default:
      throw new Error(`unsupported access-token algorithm ${alg}`);
  }
}

export function createLimitServer(config) {
  const clientKey = createPublicKey(config.clientPublicKeyPem);
  const signToken = accessTokenSigner(config.accessTokenAlg, config.signingKey);
  const header = Buffer.from(JSON.stringify({ alg: config.accessTokenAlg, typ: 'JWT', kid: config.kid })).toString('base64url');
  const granted = new Set(config.scope.split(' '));
  const jwks =
    config.accessTokenAlg === 'HS256'
      ? JSON.stringify({ keys: [] }) // a shared secret is never published
      : JSON.stringify({ keys: [{ ...createPublicKey(createPrivateKey(config.signingKey)).export({ format: 'jwk' }), kid: config.kid, alg: config.accessTokenAlg, use: 'sig' }] });
  // jti → exp. Entries are inserted in roughly exp order, so expired ones are swept from the front.
  const seen = new Map();

  const send = (res, status, body) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(body);
  };
  const fail = (res, status, error) => send(res, status, `{"error":"${error}"}`);

  function token(body, res) {
    const form = new URLSearchParams(body);
    if (form.get('grant_type') !== 'client_credentials') return fail(res, 400, 'unsupported_grant_type');
    if (form.get('client_assertion_type') !== ASSERTION_TYPE) return fail(res, 401, 'invalid_client');
    const parts = (form.get('client_assertion') ?? '').split('.');
    if (parts.length !== 3) return fail(res, 401, 'invalid_client');
    // No header parsing: the one preloaded key needs no kid lookup, and the signature is
    // verified as RS256 whatever the header's alg says (the header is part of what it covers).
    let claims;
    try {
      claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString());
      if (typeof claims !== 'object' || claims === null) return fail(res, 401, 'invalid_client');
    } catch {
      return fail(res, 401, 'invalid_client');
    }
    const now = Math.floor(Date.now() / 1000);
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    const { exp, jti } = claims;
    if (claims.iss !== config.clientId || claims.sub !== config.clientId || !aud.includes(config.issuer)) return fail(res, 401, 'invalid_client');
    if (typeof exp !== 'number' || exp <= now || exp > now + MAX_ASSERTION_SECONDS) return fail(res, 401, 'invalid_client');
    if (typeof jti !== 'string' || jti === '' || jti.length > 256) return fail(res, 401, 'invalid_client');
    if (form.get('audience') !== config.api) return fail(res, 403, 'access_denied');
    const requested = form.get('scope') ?? config.scope;
    if (!requested.split(' ').every((s) => granted.has(s))) return fail(res, 403, 'invalid_scope');

    // Verified in place (~25 µs with e = 65537), as Signet verifies: cheaper than the pool's hand-off.
    let ok = false;
    try {
      ok = verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), clientKey, Buffer.from(parts[2], 'base64url'));
    } catch {
      ok = false;
    }
    if (!ok) return fail(res, 401, 'invalid_client');
    // Check-and-set in one synchronous step, after the signature: a forged jti can't burn a real one.
    for (const [k, e] of seen) {
      if (e > now) break;
      seen.delete(k);
    }
    if (seen.has(jti)) return fail(res, 401, 'invalid_client');
    seen.set(jti, exp);
    const payload = {
      iss: config.issuer,
      sub: `${config.clientId}@clients`,
      aud: config.api,
      iat: now,
      exp: now + config.lifetimeSeconds,
      jti: randomUUID(),
      gty: 'client-credentials',
      azp: config.clientId,
      scope: requested,
    };
    const input = `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
    signToken(Buffer.from(input), (e, sig) => {
      if (e) return fail(res, 500, 'server_error');
      send(res, 200, `{"access_token":"${input}.${sig.toString('base64url')}","token_type":"Bearer","expires_in":${config.lifetimeSeconds},"scope":"${requested}"}`);
    });
  }

  return createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/jwks') return send(res, 200, jwks);
    if (req.method !== 'POST' || req.url !== '/token') return fail(res, 404, 'not_found');
    if (!req.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) return fail(res, 400, 'invalid_request');
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        fail(res, 413, 'invalid_request');
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      if (size <= MAX_BODY_BYTES) token(Buffer.concat(chunks).toString(), res);
    });
  });
}

// As a process (started by bench/limit-target.ts).
if (process.env.LIMIT_CONFIG) {
  const config = JSON.parse(process.env.LIMIT_CONFIG);
  if (config.workers > 1 && cluster.isPrimary) {
    let listening = 0;
    cluster.on('listening', () => {
      if (++listening === config.workers) process.send?.({ ready: true });
    });
    for (let i = 0; i < config.workers; i++) cluster.fork();
    let exited = 0;
    cluster.on('exit', () => {
      if (++exited === config.workers) process.exit(0);
    });
    const stop = () => {
      for (const w of Object.values(cluster.workers ?? {})) w?.kill('SIGTERM');
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  } else {
    createLimitServer(config).listen(config.port, '127.0.0.1', () => {
      if (cluster.isPrimary) process.send?.({ ready: true });
    });
    // Nothing to flush or persist: stop at once.
    process.on('SIGTERM', () => process.exit(0));
    process.on('SIGINT', () => process.exit(0));
  }
}
