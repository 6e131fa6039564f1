import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify, { type FastifyInstance } from 'fastify';
import { deferredValidation } from './deferred-validation.ts';

const ajv = { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } };

function routes(app: FastifyInstance) {
  app.post('/things', { schema: { body: { type: 'object', additionalProperties: false, required: ['name'], properties: { name: { type: 'string', maxLength: 5 }, n: { type: 'integer', default: 1 } } } } }, async (req) => req.body);
  app.get('/versioned', { schema: { headers: { type: 'object', required: ['X-Api-Version'], properties: { 'X-Api-Version': { type: 'string', pattern: '^v[0-9]$' } } } } }, async () => ({ ok: true }));
  app.get('/q', { schema: { querystring: { type: 'object', additionalProperties: false, properties: { page: { type: 'string' } } } } }, async (req) => req.query);
}

const requests = [
  { method: 'POST', url: '/things', payload: { name: 'ada' } },
  { method: 'POST', url: '/things', payload: { name: 'ada', n: 3 } },
  { method: 'POST', url: '/things', payload: { name: 'ada lovelace' } },
  { method: 'POST', url: '/things', payload: { name: 'ada', extra: true } },
  { method: 'POST', url: '/things', payload: {} },
  { method: 'POST', url: '/things', payload: [] },
  { method: 'GET', url: '/versioned', headers: { 'x-api-version': 'v2' } },
  { method: 'GET', url: '/versioned', headers: { 'X-API-VERSION': 'v22' } },
  { method: 'GET', url: '/versioned' },
  { method: 'GET', url: '/q?page=2' },
  { method: 'GET', url: '/q?page=2&other=1' },
] as const;

test('deferred validation answers every request exactly as Fastify compiling up front does', async (t) => {
  const eager = Fastify({ ajv });
  const validation = deferredValidation();
  const deferred = Fastify({ ajv, schemaController: { compilersFactory: { buildValidator: validation.buildValidator } } });
  routes(eager);
  routes(deferred);
  await Promise.all([eager.ready(), deferred.ready()]);
  t.after(() => Promise.all([eager.close(), deferred.close()]));
  // Three routes, and Fastify's HEAD twins of the two GET routes.
  assert.equal(validation.remaining(), 5, 'nothing is compiled before a request needs it');
  const statuses = [];
  for (const r of requests) {
    const [a, b] = await Promise.all([eager.inject(r as never), deferred.inject(r as never)]);
    assert.equal(b.statusCode, a.statusCode, `${r.method} ${r.url} ${JSON.stringify(r)}`);
    assert.equal(b.body, a.body, `${r.method} ${r.url} ${JSON.stringify(r)}`);
    statuses.push(a.statusCode);
  }
  // The comparison covers both outcomes, on each part of a request.
  assert.deepEqual(statuses, [200, 200, 400, 400, 400, 400, 200, 400, 400, 200, 400]);
  assert.equal(validation.remaining(), 2, 'only the HEAD routes, never requested, are left');
});

test('once the server listens, the validators not used yet are compiled in the background', async (t) => {
  const validation = deferredValidation();
  const app = Fastify({ ajv, schemaController: { compilersFactory: { buildValidator: validation.buildValidator } } });
  routes(app);
  app.addHook('onListen', async () => void setImmediate(validation.compileRemaining));
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.after(() => app.close());
  for (let i = 0; i < 100 && validation.remaining() > 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(validation.remaining(), 0);
});
