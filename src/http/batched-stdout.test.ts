import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { BATCH_BYTES, FLUSH_MS, batchedLines } from './batched-stdout.ts';

const sink = () => {
  const writes: string[] = [];
  return { writes, write: (c: string) => void writes.push(c) };
};

test('lines are gathered and written together once FLUSH_MS has passed', async () => {
  const out = sink();
  const lines = batchedLines(out, { onExit: false });
  lines.write('{"a":1}\n');
  lines.write('{"b":2}\n');
  assert.deepEqual(out.writes, [], 'nothing is written per line');
  await new Promise((r) => setTimeout(r, FLUSH_MS + 50));
  assert.deepEqual(out.writes, ['{"a":1}\n{"b":2}\n']);
});

test('no write is longer than PIPE_BUF, and lines are never split', () => {
  const out = sink();
  const lines = batchedLines(out, { onExit: false });
  const sent: string[] = [];
  for (let i = 0; i < 500; i++) {
    // Multi-byte characters too: the bound is in bytes, not characters.
    const line = `${JSON.stringify({ i, host: 'é'.repeat(i % 40), pad: 'x'.repeat(i % 97) })}\n`;
    sent.push(line);
    lines.write(line);
  }
  lines.flush();
  assert.ok(out.writes.length > 1 && out.writes.length < 500, `${out.writes.length} writes for 500 lines`);
  for (const w of out.writes) {
    assert.ok(Buffer.byteLength(w) <= BATCH_BYTES, `a write of ${Buffer.byteLength(w)} bytes`);
    assert.ok(w.endsWith('\n'));
  }
  assert.equal(out.writes.join(''), sent.join(''));
});

test('a line longer than a batch is written alone, whole', () => {
  const out = sink();
  const lines = batchedLines(out, { onExit: false });
  lines.write('short\n');
  const long = `${'y'.repeat(BATCH_BYTES * 2)}\n`;
  lines.write(long);
  lines.flush();
  assert.deepEqual(out.writes, ['short\n', long]);
});

test('lines still gathered when the process exits are written (to a pipe)', () => {
  const code = `
    import { batchedLines } from ${JSON.stringify(new URL('./batched-stdout.ts', import.meta.url).href)};
    const lines = batchedLines();
    for (let i = 0; i < 10; i++) lines.write('line ' + i + '\\n');
    process.exit(0);
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, Array.from({ length: 10 }, (_, i) => `line ${i}\n`).join(''));
});
