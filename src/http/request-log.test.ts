import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { logSetup } from './request-log.ts';

function appWithLines() {
  const lines: string[] = [];
  const setup = logSetup({ level: 'info', stream: { write: (l: string) => void lines.push(l) } });
  const app = Fastify(setup.fastify);
  return { app, lines };
}

test("a request's logger logs with the request id and the redaction, once something logs through it", async () => {
  const { app, lines } = appWithLines();
  app.get('/x', async (req) => {
    req.log.warn({ headers: { authorization: 'Bearer never-logged' }, form: { client_secret: 'never-logged' }, seen: 'kept' }, 'something happened');
    req.log.child({ part: 'inner' }).error('from a child');
    return { ok: true };
  });
  const res = await app.inject({ method: 'GET', url: '/x', headers: { 'x-request-id': 'req-lazy-1' } });
  assert.equal(res.statusCode, 200);
  const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const warn = logged.find((l) => l.msg === 'something happened');
  assert.ok(warn, lines.join(''));
  assert.equal(warn.reqId, 'req-lazy-1');
  assert.equal(warn.level, 40);
  assert.equal(warn.seen, 'kept');
  assert.deepEqual(warn.headers, { authorization: '[redacted]' });
  assert.ok(!lines.join('').includes('never-logged'));
  const inner = logged.find((l) => l.msg === 'from a child');
  assert.equal(inner?.reqId, 'req-lazy-1');
  assert.equal(inner?.part, 'inner');
  await app.close();
});

test('no child logger is built for a request that logs nothing, and levels are honoured', async () => {
  const { app, lines } = appWithLines();
  let children = 0;
  const child = app.log.child.bind(app.log);
  (app.log as unknown as { child: typeof child }).child = (...a: Parameters<typeof child>) => (children++, child(...a));
  app.get('/quiet', async (req) => {
    assert.equal(req.log.level, 'info');
    req.log.debug('below the level');
    return { ok: true };
  });
  app.get('/silent', async () => ({ ok: true }));
  assert.equal((await app.inject({ method: 'GET', url: '/silent' })).statusCode, 200);
  assert.equal(children, 0, 'a request that logs nothing builds no child');
  assert.equal((await app.inject({ method: 'GET', url: '/quiet' })).statusCode, 200);
  assert.equal(children, 1);
  assert.equal(lines.filter((l) => l.includes('below the level')).length, 0);
  await app.close();
});
