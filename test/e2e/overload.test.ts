import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { Pool } from 'undici';
import type { FastifyInstance } from 'fastify';
import { startSignet, type Harness } from '../support/harness.ts';
import { buildApp } from '../../src/http/app.ts';
import { createM2MApp, signedForm } from '../support/fixtures.ts';

/**
 * Bounded work per connection and request, over plain HTTP on an app built from the harness's
 * services with small bounds: more requests than the process takes are answered 503 at once
 * (operational routes excepted), and slow, oversized or excess connections are cut.
 */
let h: Harness;
let app: FastifyInstance;
let origin: string;
// A route that holds the one slot until the test lets it go, so the queue fills however fast
// this machine signs tokens.
let holding: () => void = () => undefined;
let release: () => void = () => undefined;
before(async () => {
  h = await startSignet();
  app = await buildApp(h.services, { maxInFlight: 1, maxConnections: 100 });
  app.get('/probe', { config: { operational: true } }, async () => ({ status: 'ok' }));
  app.get('/hold', async () => {
    holding();
    await new Promise<void>((resolve) => (release = resolve));
    return { status: 'released' };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  origin = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
});
after(async () => {
  await app?.close();
  await h?.close();
});

test('overload: requests past the queue are answered 503 temporarily_unavailable with Retry-After at once; operational routes are still answered', async () => {
  const pool = new Pool(origin, { connections: 95 });
  const host = h.defaultTenant.domain;
  const m2m = await createM2MApp(h.defaultTenant);
  const forms = Array.from({ length: 120 }, () => new URLSearchParams(signedForm(h.defaultTenant, m2m)).toString());
  let sawShed!: () => void;
  const shedding = new Promise<void>((resolve) => (sawShed = resolve));
  const get = async (path: string, form?: string) => {
    const t0 = performance.now();
    const r = await pool.request({
      path,
      method: form ? 'POST' : 'GET',
      headers: { host, ...(form && { 'content-type': 'application/x-www-form-urlencoded' }) },
      body: form,
    });
    const body = await r.body.json();
    if (r.statusCode === 503) sawShed();
    return { status: r.statusCode, headers: r.headers, body: body as Record<string, string>, ms: performance.now() - t0 };
  };
  try {
    // One request worked on at once, 64 waiting. With the one slot held, a burst of 120 token
    // requests on the other 94 connections overflows the queue: 64 wait, the rest are shed.
    const held = new Promise<void>((resolve) => (holding = resolve));
    const hold = get('/hold');
    await held;
    const pending = forms.map((f) => get('/oauth/token', f));
    const all = Promise.all(pending);
    // Never wait forever: shedding is at once, so a burst that is not shed fails here instead of hanging.
    const first = await Promise.race([
      shedding.then(() => 'shed'),
      all.then(() => 'all answered', () => 'failed'),
      new Promise((resolve) => setTimeout(resolve, 5_000, 'nothing shed in 5 s')),
    ]);
    assert.equal(first, 'shed', 'a full queue sheds');
    // While it sheds, a probe of an operational route is still answered.
    const probe = await get('/probe');
    assert.equal(probe.status, 200, 'an operational route is never shed');
    release();
    assert.equal((await hold).status, 200);
    const burst = await all;
    const shed = burst.filter((r) => r.status === 503);
    const served = burst.filter((r) => r.status === 200);
    assert.equal(shed.length + served.length, 120, JSON.stringify(burst.filter((r) => r.status !== 200 && r.status !== 503).slice(0, 2)));
    assert.ok(shed.length > 0 && served.length > 0, `${served.length} served, ${shed.length} shed`);
    for (const r of shed) {
      assert.deepEqual(r.body, { error: 'temporarily_unavailable', error_description: 'The server is busy; try again in a second.' });
      assert.equal(r.headers['retry-after'], '1');
    }
    // A shed request never waits behind the work: it is answered before the slowest served one.
    const slowestServed = Math.max(...served.map((r) => r.ms));
    assert.ok(Math.min(...shed.map((r) => r.ms)) < slowestServed);
    const counted = (await h.services.metrics.registry.getSingleMetric('signet_shed_total')!.get()).values[0]?.value;
    assert.equal(counted, shed.length, 'every 503 is counted in signet_shed_total');
    // Once the burst is over, the process serves again.
    assert.equal((await get('/.well-known/jwks.json')).status, 200);
  } finally {
    release();
    await pool.close();
  }
});

function rawRequest(text: string): Promise<{ response: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const socket = connect((app.server.address() as { port: number }).port, '127.0.0.1', () => socket.write(text));
    let response = '';
    socket.on('data', (d) => (response += d.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ response, closedAfterMs: performance.now() - t0 }));
    setTimeout(() => reject(new Error('the server kept the connection open')), 20_000).unref();
  });
}

test('headers larger than 16 KiB are refused with 431', async () => {
  const { response } = await rawRequest(`GET /.well-known/jwks.json HTTP/1.1\r\nHost: ${h.defaultTenant.domain}\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`);
  assert.match(response, /^HTTP\/1\.1 431 /);
});

test('a request that does not arrive within 10 s is answered 408 and its connection closed', async () => {
  // Headers begun, never finished (a slowloris client).
  const { response, closedAfterMs } = await rawRequest(`GET /.well-known/jwks.json HTTP/1.1\r\nHost: ${h.defaultTenant.domain}\r\n`);
  assert.match(response, /^HTTP\/1\.1 408 /);
  assert.ok(closedAfterMs >= 9_000 && closedAfterMs < 16_000, `closed after ${closedAfterMs} ms`);
});

test('connections beyond maxConnections are closed as they arrive', async () => {
  const open: Socket[] = [];
  try {
    for (let i = 0; i < 100; i++) {
      open.push(await new Promise<Socket>((resolve) => {
        const s = connect((app.server.address() as { port: number }).port, '127.0.0.1', () => resolve(s));
        s.on('error', () => undefined);
      }));
    }
    await new Promise((r) => setTimeout(r, 100));
    const { response } = await rawRequest(`GET /.well-known/jwks.json HTTP/1.1\r\nHost: ${h.defaultTenant.domain}\r\n\r\n`);
    assert.equal(response, '', 'the 101st connection is dropped without an answer');
  } finally {
    for (const s of open) s.destroy();
  }
  await new Promise((r) => setTimeout(r, 100));
  const { response } = await rawRequest(`GET /.well-known/jwks.json HTTP/1.1\r\nHost: ${h.defaultTenant.domain}\r\nConnection: close\r\n\r\n`);
  assert.match(response, /^HTTP\/1\.1 200 /);
});
