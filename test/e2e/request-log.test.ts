/**
 * Request logs: one JSON line per request with a fixed set of fields and the request id,
 * X-Request-Id honoured when sane and returned, and not one secret, assertion, token, password,
 * cookie or Authorization value anywhere in what the server logged. The log is the server's
 * real pino output, captured line by line.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSignet, type Harness } from '../support/harness.ts';
import { createM2MApp, signedForm } from '../support/fixtures.ts';

let h: Harness;
const lines: string[] = [];
before(async () => (h = await startSignet({ log: (line) => void lines.push(line) })));
after(() => h.close());

const entries = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
const requestLines = (id: string) => entries().filter((e) => e.reqId === id && e.msg === 'request');

test('a token request with a client assertion and a Management API call: ids round-trip, one line each, nothing secret logged', async () => {
  const tenant = await h.createTenant();
  const app = await createM2MApp(tenant);
  const form = signedForm(tenant, app);
  const issued = await h.token(tenant, form, { 'x-request-id': 'trace-4bf92f3577b34da6a3ce929d0e0e4736' });
  assert.equal(issued.status, 200, JSON.stringify(issued.body));
  assert.equal(issued.headers.get('x-request-id'), 'trace-4bf92f3577b34da6a3ce929d0e0e4736');

  const managementToken = await tenant.managementToken();
  const listed = await h.fetch(new URL('api/v2/clients?fields=client_id', tenant.issuer), {
    headers: { authorization: `Bearer ${managementToken}`, cookie: 'signet_admin=cookie-value-never-logged' },
  });
  assert.equal(listed.status, 200);
  const generated = listed.headers.get('x-request-id');
  assert.match(generated ?? '', /^[0-9a-f-]{36}$/, 'an id is generated when none is sent');

  // A secret where Fastify's own request line would have printed it: the URL's query.
  const inQuery = await h.fetch(new URL(`oauth/token?client_secret=query-secret-never-logged`, tenant.issuer), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${app.clientId}:basic-secret-never-logged`).toString('base64')}` },
    body: 'grant_type=client_credentials&client_secret=body-secret-never-logged',
  });
  assert.equal(inQuery.status, 400);

  const [tokenLine] = requestLines('trace-4bf92f3577b34da6a3ce929d0e0e4736');
  assert.ok(tokenLine, 'the token request is logged under the id the caller sent');
  assert.deepEqual(Object.keys(tokenLine).filter((k) => !['level', 'time', 'pid', 'hostname'].includes(k)).sort(), [
    'duration_ms',
    'host',
    'method',
    'msg',
    'remote_address',
    'reqId',
    'route',
    'status',
  ]);
  assert.equal(tokenLine.route, '/oauth/token');
  assert.equal(tokenLine.status, 200);
  assert.equal(tokenLine.method, 'POST');
  assert.equal(tokenLine.host, new URL(tenant.issuer).host);
  assert.equal(tokenLine.remote_address, '127.0.0.1');
  assert.equal(typeof tokenLine.duration_ms, 'number');
  const [apiLine] = requestLines(generated!);
  assert.equal(apiLine?.route, '/api/v2/clients', 'the route template, not the URL');

  const all = lines.join('\n');
  const secrets = {
    assertion: form.client_assertion!,
    'assertion signature': form.client_assertion!.split('.')[2]!,
    'access token': issued.body.access_token as string,
    'management token': managementToken,
    'management client secret': tenant.management.client_secret,
    cookie: 'cookie-value-never-logged',
    'query secret': 'query-secret-never-logged',
    'basic secret': 'basic-secret-never-logged',
    'basic header': Buffer.from(`${app.clientId}:basic-secret-never-logged`).toString('base64'),
    'body secret': 'body-secret-never-logged',
  };
  for (const [what, value] of Object.entries(secrets)) assert.ok(!all.includes(value), `the ${what} appears in the log`);
  assert.ok(!/authorization|cookie|client_assertion|access_token/i.test(all), 'no header or parameter of a secret is named in the log');
});

test('an X-Request-Id that is too long or carries odd characters is replaced, not echoed or logged', async () => {
  for (const sent of ['x'.repeat(129), 'id with spaces', 'a"b', 'ünïcode', 'a\tb']) {
    const res = await h.fetch(new URL('.well-known/openid-configuration', h.defaultTenant.issuer), { headers: { 'x-request-id': sent } });
    assert.equal(res.status, 200);
    const id = res.headers.get('x-request-id')!;
    assert.match(id, /^[0-9a-f-]{36}$/, `"${sent.slice(0, 20)}" was replaced`);
    assert.equal(requestLines(id).length, 1);
  }
  assert.ok(!lines.join('\n').includes('id with spaces'));
  // 128 safe characters are kept as they are.
  const kept = `${'a'.repeat(120)}-._:0123`.slice(0, 128);
  const res = await h.fetch(new URL('.well-known/openid-configuration', h.defaultTenant.issuer), { headers: { 'x-request-id': kept } });
  assert.equal(res.headers.get('x-request-id'), kept);
});

test('an unknown host is logged with its id; health, readiness and metrics probes are not logged', async () => {
  const unknown = await h.fetch(`https://nobody.signet.test:${h.port}/oauth/token`, { method: 'POST', headers: { 'x-request-id': 'unknown-host-1' } });
  assert.equal(unknown.status, 404);
  assert.equal(unknown.headers.get('x-request-id'), 'unknown-host-1');
  assert.equal(requestLines('unknown-host-1')[0]?.status, 404);

  for (const path of ['healthz', 'readyz', 'metrics']) {
    const res = await h.fetch(new URL(path, h.defaultTenant.issuer), { headers: { 'x-request-id': `probe-${path}` } });
    assert.equal(res.status, 200, path);
    assert.equal(res.headers.get('x-request-id'), `probe-${path}`, 'probes still carry their id');
    assert.deepEqual(requestLines(`probe-${path}`), [], `${path} is not logged`);
  }
});

test('request lines are info: a server logging at warn writes none, and every line is one whole JSON object', async () => {
  const quiet: string[] = [];
  const w = await startSignet({ log: (line) => void quiet.push(line), logLevel: 'warn' });
  try {
    const tenant = await w.createTenant();
    const app = await createM2MApp(tenant);
    const issued = await w.token(tenant, signedForm(tenant, app));
    assert.equal(issued.status, 200);
    assert.deepEqual(quiet.filter((l) => l.includes('"msg":"request"')), []);
  } finally {
    await w.close();
  }
  for (const l of lines) assert.ok(l.endsWith('\n') && !l.slice(0, -1).includes('\n'), `one line per write: ${l.slice(0, 80)}`);
});
