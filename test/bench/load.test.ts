/**
 * The benchmark's load generator (bench/load.ts) against a trivial local server: a scale run's
 * window opens only after its warm-up requests have been answered, not when the warm-up time
 * alone has passed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadJob, LoadResult } from '../../bench/load.ts';

const ROOT = new URL('../..', import.meta.url).pathname;

test('the measured window opens after warmupRequests responses, even with no warm-up time', { timeout: 60_000 }, async () => {
  let answered = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () =>
      setTimeout(() => {
        answered++;
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"access_token":"t"}');
      }, 2),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const dir = mkdtempSync(join(tmpdir(), 'signet-load-test-'));
  try {
    const file = join(dir, 'bodies.txt');
    writeFileSync(file, Array.from({ length: 5000 }, (_, i) => `n=${i}`).join('\n'));
    const port = (server.address() as { port: number }).port;
    const job: LoadJob = { origin: `http://127.0.0.1:${port}`, path: '/', bodyFiles: [file], connections: 4, warmupMs: 0, warmupRequests: 200, durationMs: 300 };
    const load = fork(join(ROOT, 'bench/load.ts'), [], { execArgv: ['--import', 'tsx'] });
    let answeredAtStart = -1;
    const result = await new Promise<LoadResult>((resolve, reject) => {
      load.on('message', (m: { phase?: string; result?: LoadResult }) => {
        if (m.phase === 'measure-start') answeredAtStart = answered;
        if (m.result) resolve(m.result);
      });
      load.once('exit', (code) => reject(new Error(`load generator exited with ${code}`)));
      load.send(job);
    });
    assert.ok(answeredAtStart >= 200, `the window opened after ${answeredAtStart} responses`);
    assert.ok(result.warmupElapsedMs > 0);
    assert.ok(result.ok > 0 && !result.exhausted, JSON.stringify(result));
    assert.ok(result.bodiesUsed >= 200 + result.ok);
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
