/**
 * The benchmark runner end to end on a tiny configuration (one second per server): it starts
 * the limit server and Signet for ES256, loads them, verifies their ES256 tokens and writes
 * per-alg summaries with no error. Measured at about 20-30 s on the 2-core machine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('../..', import.meta.url).pathname;

test('npm run bench on a tiny ES256 configuration writes per-alg summaries and no errors', { timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-bench-test-'));
  try {
    const out = join(dir, 'result.json');
    const started = Date.now();
    const r = spawnSync(
      process.execPath,
      [
        '--import', 'tsx', 'bench/token-endpoint.ts',
        '--duration', '1', '--warmup', '0', '--rounds', '1', '--only', 'limit,signet', '--alg', 'ES256',
        '--concurrency', '2', '--workers', '1', '--out', out,
        // Checks the runner, not the numbers: don't wait for (or repeat on) a busy machine.
        '--max-other', '100', '--retries', '0',
      ],
      { cwd: ROOT, encoding: 'utf8', timeout: 170_000 },
    );
    const seconds = (Date.now() - started) / 1000;
    assert.equal(r.status, 0, `bench exited with ${r.status} after ${seconds.toFixed(0)} s:\n${r.stdout}\n${r.stderr}`);
    const report = JSON.parse(readFileSync(out, 'utf8')) as {
      settings: { algs: string[] };
      commit: string | null;
      summaries: { alg: string; server: string; label: string; tokensPerSecond: number; errors: number; fractionOfLimit: number | null }[];
      runs: { alg: string; label: string; tokenVerified: string; exhausted: boolean; replayRefused: boolean; ok: number }[];
      nonOkResponses: number;
    };
    assert.deepEqual(report.settings.algs, ['ES256']);
    assert.match(report.commit ?? '', /^[0-9a-f]{7,}(-dirty)?$/, 'the commit measured');
    assert.deepEqual(report.summaries.map((s) => [s.alg, s.label]), [['ES256', 'limit'], ['ES256', 'signet']]);
    for (const s of report.summaries) {
      assert.ok(s.tokensPerSecond > 0, `${s.label}: no tokens`);
      assert.equal(s.errors, 0, s.label);
      assert.equal(typeof s.fractionOfLimit, 'number', s.label);
    }
    assert.equal(report.nonOkResponses, 0);
    for (const run of report.runs) {
      assert.match(run.tokenVerified, /^ES256 JWT/, run.label);
      assert.equal(run.exhausted, false, run.label);
      assert.equal(run.replayRefused, true, run.label);
      assert.ok(run.ok > 0, run.label);
    }
    console.log(`# bench end-to-end: ${seconds.toFixed(1)} s`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
