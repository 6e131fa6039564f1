import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageRecorder } from './usage-recorder.ts';

test('a use is written at most once a minute per id, and ids unused for a minute are forgotten', async () => {
  const writes: [string, number][] = [];
  const r = new UsageRecorder(async (id, at) => void writes.push([id, at]), 3_600_000);
  const t0 = 1_000_000;
  for (let i = 0; i < 1000; i++) r.record(`cred-${i}`, t0);
  await r.flush(t0);
  assert.equal(writes.length, 1000);
  assert.equal(r.remembered, 1000);
  r.record('cred-1', t0 + 10_000); // within the minute: not written again
  await r.flush(t0 + 10_000);
  assert.equal(writes.length, 1000);
  r.record('cred-1', t0 + 61_000);
  await r.flush(t0 + 61_000);
  assert.deepEqual(writes.at(-1), ['cred-1', t0 + 61_000]);
  assert.equal(r.remembered, 1, 'only the id written in the last minute is still remembered');
  await r.close();
});
