import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Admission, type Admitted } from './admission.ts';

const policy = { concurrency: 2, maxQueue: 8, targetMs: 20, intervalMs: 100, holdMs: 1000 };

function setup() {
  let now = 0;
  const admission = new Admission(policy, () => now);
  const started: Admitted[] = [];
  let refusedLater = 0;
  const arrive = () => {
    const a = admission.admit();
    if (a === undefined) return 'refused' as const;
    if (a instanceof Promise) {
      void a.then((x) => (x ? started.push(x) : refusedLater++));
      return 'queued' as const;
    }
    started.push(a);
    return 'started' as const;
  };
  const finishOne = async () => {
    started.shift()!.release();
    await new Promise((r) => setImmediate(r));
  };
  return { admission, arrive, finishOne, advance: (ms: number) => void (now += ms), started, refusedLater: () => refusedLater };
}

test('a burst waits in the queue and is served: nothing is refused while the queue drains within the target', async () => {
  const s = setup();
  const answers = Array.from({ length: 10 }, s.arrive);
  assert.deepEqual(answers, ['started', 'started', ...Array(8).fill('queued')]);
  for (let i = 0; i < 10; i++) {
    s.advance(2);
    await s.finishOne();
  }
  assert.equal(s.admission.shedding, false);
  assert.equal(s.admission.inFlight, 0);
  assert.equal(s.arrive(), 'started');
});

test('beyond maxQueue, a request is refused at once', () => {
  const s = setup();
  const answers = Array.from({ length: 11 }, s.arrive);
  assert.equal(answers.filter((a) => a === 'refused').length, 1);
  assert.equal(answers[10], 'refused');
});

test('sustained overload: once requests have waited past the target for an interval, arrivals that cannot start are refused until a quiet hold', async () => {
  const s = setup();
  for (let i = 0; i < 10; i++) s.arrive();
  // Every request waits 30 ms or more (> 20), for 120 ms (> 100): a standing queue.
  for (let i = 0; i < 5; i++) {
    s.advance(30);
    await s.finishOne();
    s.arrive();
  }
  assert.equal(s.admission.shedding, true);
  assert.equal(s.arrive(), 'refused', 'every slot taken: refused at once, not queued');
  // The queued requests have all waited past the target: their turn comes as a refusal (a 503
  // now), not as work done late.
  const queued = 10 + 5 - 2 - 5;
  await s.finishOne();
  assert.equal(s.refusedLater(), queued);
  assert.equal(s.started.length, 1, 'the freed slot went to nobody stale');
  while (s.started.length) await s.finishOne();
  while (s.admission.inFlight > 0 || s.started.length) await s.finishOne();
  assert.equal(s.arrive(), 'started');
  s.arrive();
  // Refusals keep extending the hold; a second with none ends it.
  assert.equal(s.arrive(), 'refused');
  s.advance(999);
  assert.equal(s.admission.shedding, true);
  s.advance(2);
  assert.equal(s.admission.shedding, false);
  assert.equal(s.arrive(), 'queued', 'out of overload, a busy process queues again');
});
