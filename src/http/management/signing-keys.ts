import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../services.ts';
import type { SigningKeyInfo } from '../../store/signing-keys.ts';
import { encodePem } from '../../domain/credentials/pem-armor.ts';
import { certificateSha1, pkcs7CertificateBundle } from '../../domain/self-signed-certificate.ts';
import { InvalidInputError, NotFoundError } from '../../domain/errors.ts';
import { auditLog } from './audit.ts';
import { parseQuery, type RawQuery } from './list-query.ts';

const kidParams = { type: 'object', required: ['kid'], properties: { kid: { type: 'string', minLength: 1, maxLength: 100 } } } as const;

/**
 * These routes take no query parameters and no body fields (Auth0's take none either): any
 * that is sent is refused by name rather than ignored. A body, if any, must be a JSON object.
 */
function refuseInput(req: FastifyRequest): void {
  parseQuery(req.query as RawQuery, {});
  const body = req.body;
  if (body === undefined || body === null) return;
  if (typeof body !== 'object' || Array.isArray(body)) throw new InvalidInputError('invalid_body', 'The body, if sent, must be an empty JSON object.');
  const field = Object.keys(body)[0];
  if (field !== undefined) {
    throw new InvalidInputError('invalid_body', `Field ${JSON.stringify(field.slice(0, 64))} is not supported here: this endpoint takes none.`, /^[a-z_]{1,64}$/.test(field) ? field : undefined);
  }
}

const iso = (ms: number | null) => (ms === null ? undefined : new Date(ms).toISOString());

/**
 * A signing key as Auth0 shows it: certificate, PKCS#7 bundle, SHA-1 fingerprints and its place
 * in the rotation, plus its family's `alg` (Auth0's SDKs ignore fields they do not know). Never
 * the private key.
 */
export function presentSigningKey(k: SigningKeyInfo) {
  const sha1 = certificateSha1(k.certDer).toString('hex').toUpperCase();
  return {
    kid: k.kid,
    alg: k.alg,
    cert: encodePem('CERTIFICATE', k.certDer),
    pkcs7: encodePem('PKCS7', pkcs7CertificateBundle(k.certDer)),
    fingerprint: sha1.match(/../g)!.join(':'),
    thumbprint: sha1,
    current: k.status === 'current',
    next: k.status === 'next',
    previous: k.status === 'previous',
    revoked: k.status === 'revoked',
    ...(k.currentSince !== null && { current_since: iso(k.currentSince) }),
    ...(k.currentUntil !== null && { current_until: iso(k.currentUntil) }),
    ...(k.revokedAt !== null && { revoked_at: iso(k.revokedAt) }),
  };
}

/**
 * /api/v2/keys/signing — the tenant's token-signing keys of every algorithm family, with Auth0's
 * life cycle (see SigningKeyStore). A rotation rotates every family and answers with the RS256
 * key that now signs, as Auth0 does. A rotation or revocation takes effect in this process before the response
 * is sent, and in every other process at its next tenant stamp check (about a second).
 */
export function signingKeyRoutes(app: FastifyInstance, services: Services): void {
  const keys = services.store.signingKeys;
  const find = async (tenantId: string, kid: string) => {
    const k = await keys.get(tenantId, kid);
    if (!k) throw new NotFoundError('inexistent_signing_key', 'Signing key not found');
    return k;
  };

  app.get('/keys/signing', { config: { scopes: ['read:signing_keys'] } }, async (req) => {
    refuseInput(req);
    return (await keys.list(req.tenantCtx.tenant.id)).map(presentSigningKey);
  });

  app.get<{ Params: { kid: string } }>(
    '/keys/signing/:kid',
    { schema: { params: kidParams }, config: { scopes: ['read:signing_keys'] } },
    async (req) => {
      refuseInput(req);
      return presentSigningKey(await find(req.tenantCtx.tenant.id, req.params.kid));
    },
  );

  app.post(
    '/keys/signing/rotate',
    { config: { scopes: ['create:signing_keys', 'update:signing_keys'] } },
    async (req, reply) => {
      refuseInput(req);
      const tenantId = req.tenantCtx.tenant.id;
      const before = await keys.current(tenantId);
      const now = await keys.rotate(tenantId, services.clock());
      await services.directory.forgetKeys(tenantId);
      auditLog(services, req, 'Rotate the Application Signing Key', { kid: now.kid, previous_kid: before?.kid });
      return reply.code(201).send({ cert: encodePem('CERTIFICATE', now.certDer), kid: now.kid });
    },
  );

  app.put<{ Params: { kid: string } }>(
    '/keys/signing/:kid/revoke',
    { schema: { params: kidParams }, config: { scopes: ['update:signing_keys'] } },
    async (req) => {
      refuseInput(req);
      const tenantId = req.tenantCtx.tenant.id;
      const { key, changed } = await keys.revoke(tenantId, req.params.kid, services.clock());
      if (changed) {
        await services.directory.forgetKeys(tenantId);
        auditLog(services, req, 'Revoke an Application Signing Key', { kid: key.kid });
      }
      return { cert: encodePem('CERTIFICATE', key.certDer), kid: key.kid };
    },
  );
}
