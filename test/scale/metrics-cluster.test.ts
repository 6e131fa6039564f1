/**
 * `signet serve --workers 2` with SIGNET_METRICS_PORT and SIGNET_LOG_LEVEL=info, as an operator
 * runs it: the primary's metrics listener sums both workers' registries (every request counted
 * once, whichever worker served it), the main port has no /metrics, and the workers write JSON
 * request lines to stdout with the caller's X-Request-Id.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/free-port.ts';

let dir: string;
let proc: ChildProcess;
let base: string;
let metricsUrl: string;
let stdout = '';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'signet-metrics-cluster-'));
  const [port, metricsPort] = [await freePort(), await freePort()];
  base = `http://127.0.0.1:${port}/`;
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  const env = {
    ...process.env,
    PORT: String(port),
    SIGNET_METRICS_PORT: String(metricsPort),
    SIGNET_LOG_LEVEL: 'info',
    SIGNET_DATA_DIR: dir,
    SIGNET_PUBLIC_URL: base.slice(0, -1),
    SIGNET_BIND: '127.0.0.1',
  };
  proc = spawn(process.execPath, ['bin/signet.js', 'serve', '--workers', '2'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  proc.stdout!.on('data', (d: Buffer) => void (stdout += d.toString()));
  for (let i = 0; i < 150; i++) {
    try {
      // Both listeners up: the primary opens the metrics port before forking the workers.
      if ((await fetch(base + 'readyz')).ok && (await fetch(metricsUrl)).ok) break;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
});

after(async () => {
  proc.kill('SIGTERM');
  await new Promise((r) => proc.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
});

test('the metrics port sums both workers; the main port has no /metrics; request lines carry the request id', async () => {
  const series = 'signet_http_request_duration_seconds_count{method="GET",route="/.well-known/openid-configuration",status_code="200"}';
  const n = 30;
  for (let i = 0; i < n; i++) {
    // A new connection each time, so the primary hands requests to both workers in turn.
    const res = await fetch(base + '.well-known/openid-configuration', { headers: { connection: 'close', 'x-request-id': `cluster-${i}` } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-request-id'), `cluster-${i}`);
    await res.arrayBuffer();
  }
  assert.equal((await fetch(base + 'metrics')).status, 404, 'not on the main port when SIGNET_METRICS_PORT is set');

  // A worker counts and logs a request when its response has finished, which the client can see
  // a moment before; and stdout is a pipe. Give both a moment rather than racing them.
  let line: string | undefined;
  let served: Record<string, unknown>[] = [];
  for (let i = 0; i < 20; i++) {
    const text = await (await fetch(metricsUrl)).text();
    line = text.split('\n').find((l) => l.startsWith(`${series} `));
    const lines = stdout.slice(0, stdout.lastIndexOf('\n')).split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    served = lines.filter((l) => l.msg === 'request' && typeof l.reqId === 'string' && (l.reqId as string).startsWith('cluster-'));
    if (Number(line?.split(' ')[1]) === n && served.length === n) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(Number(line?.split(' ')[1]), n, `every request counted once across workers:\n${line}`);
  assert.equal(served.length, n);
  assert.ok(served.every((l) => l.route === '/.well-known/openid-configuration' && l.status === 200));
  const pids = new Set(served.map((l) => l.pid));
  assert.equal(pids.size, 2, 'both workers served (so the sum above is of two registries)');
});
