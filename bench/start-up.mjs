#!/usr/bin/env node
// Start-up time on an existing database: `node bench/start-up.mjs [--runs 5] [--source]`.
// Starts `signet serve` once to create a fresh data directory (SQLite), stops it, then starts it
// again --runs times and reports, for each, the time from spawn to the first answer of
// GET /.well-known/openid-configuration. Runs what `npm start` runs (bin/signet.js: the compiled
// dist/server, refused here unless it is current) or, with --source, the TypeScript sources
// through tsx as in development.
// Also reports the CPU time the server process had used by then (Linux: /proc/PID/stat), which
// a busy machine inflates far less than the wall-clock time.
import { spawn } from 'node:child_process';
import { get } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, source: { type: 'boolean', default: false } } });
const entry = values.source ? ['--import', 'tsx', 'src/cli/main.ts'] : ['bin/signet.js'];

const port = await new Promise((done) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => done(p));
  });
});
const dir = mkdtempSync(join(tmpdir(), 'signet-start-up-'));
const env = { ...process.env, PORT: String(port), SIGNET_BIND: '127.0.0.1', SIGNET_DATA_DIR: dir, SIGNET_PUBLIC_URL: `http://localhost:${port}` };
// The default tenant is found by Host, so ask 127.0.0.1 (where it listens) with the public host.
const discovery = () =>
  new Promise((done) => {
    const req = get({ host: '127.0.0.1', port, path: '/.well-known/openid-configuration', headers: { host: `localhost:${port}` } }, (res) => {
      res.resume();
      done(res.statusCode);
    });
    req.on('error', () => done(0));
  });

async function start() {
  const t0 = performance.now();
  const proc = spawn(process.execPath, [...entry, 'serve'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode) throw new Error(`signet serve exited with ${proc.exitCode}`);
    if (!values.source && stderr.includes('through tsx')) {
      proc.kill();
      throw new Error('dist/server is not current (bin/signet.js ran the sources): run `npm run build` first.');
    }
    const status = await discovery();
    if (status === 200) break;
    if (status) throw new Error(`discovery answered ${status}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  const ms = performance.now() - t0;
  // utime and stime, fields 14 and 15 of /proc/PID/stat, in clock ticks (100 a second).
  const fields = readFileSync(`/proc/${proc.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const cpu = (Number(fields[11]) + Number(fields[12])) * 10;
  await new Promise((done) => {
    proc.once('exit', done);
    proc.kill('SIGTERM');
  });
  return { ms, cpu };
}

try {
  const first = await start();
  console.log(`first start (creates the database): ${first.ms.toFixed(0)} ms`);
  const runs = [];
  for (let i = 0; i < Number(values.runs); i++) runs.push(await start());
  const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
  console.log(`start on the existing database (${values.source ? 'sources via tsx' : 'bin/signet.js → dist/server'}, Node ${process.versions.node}), ${runs.length} runs, spawn → first answer:`);
  console.log(`  wall ${runs.map((r) => r.ms.toFixed(0)).join(', ')} ms; median ${median(runs.map((r) => r.ms)).toFixed(0)} ms`);
  console.log(`  CPU  ${runs.map((r) => r.cpu).join(', ')} ms; median ${median(runs.map((r) => r.cpu))} ms`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
