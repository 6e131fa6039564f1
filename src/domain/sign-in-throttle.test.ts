import assert from 'node:assert/strict';
import { test } from 'node:test';
import { afterSuccess, backoffDelayMs, decideAttempt, decideAttempts, SIGN_IN_POLICIES, signInThrottleKeys, type ThrottlePolicy, type ThrottleState } from './sign-in-throttle.ts';

const { accountAddress, address, account } = SIGN_IN_POLICIES;

/** Counts `n` attempts at `now` under one policy, failing if any is refused. */
function counted(n: number, now: number, policy: ThrottlePolicy, from?: ThrottleState): ThrottleState | undefined {
  let s = from;
  for (let i = 0; i < n; i++) {
    const d = decideAttempt(s, now, policy);
    assert.ok(d.ok, `attempt ${i + 1} refused`);
    s = d.next;
  }
  return s;
}

test('a hard limit refuses the attempt after the limit until it has been idle for its window', () => {
  const s = counted(5, 1000, accountAddress);
  assert.deepEqual(decideAttempt(s, 2000, accountAddress), { ok: false, retryAfterMs: 15 * 60_000 - 1000 });
  assert.ok(decideAttempt(s, 1000 + 15 * 60_000, accountAddress).ok);
});

test('backoff: free attempts, then waits that double up to the cap', () => {
  assert.deepEqual([9, 10, 11, 12, 18, 19, 40].map((n) => backoffDelayMs(n, account)), [0, 1000, 2000, 4000, 256_000, 300_000, 300_000]);
  let s = counted(9, 0, account);
  assert.equal(s!.notBefore, 0);
  s = counted(1, 0, account, s);
  assert.deepEqual(decideAttempt(s, 500, account), { ok: false, retryAfterMs: 500 });
  assert.ok(decideAttempt(s, 1000, account).ok);
  // An hour with no attempt starts it over.
  assert.equal((decideAttempt(s, 3600_000, account) as { next: ThrottleState }).next.count, 1);
});

test('a success resets the account and the account-address counters, and gives back only its own attempt per address', () => {
  const s = counted(3, 0, address)!;
  assert.equal(afterSuccess(s, accountAddress), undefined);
  assert.equal(afterSuccess(s, account), undefined);
  assert.equal(afterSuccess(s, address)!.count, 2);
});

test('decideAttempts: all counters or none, and a refusal waits for the slowest', () => {
  const keys = signInThrottleKeys('a@example.com', '192.0.2.1');
  assert.deepEqual([...keys.keys()], ['aa:a@example.com|192.0.2.1', 'ad:192.0.2.1', 'ac:a@example.com']);
  const states = new Map([
    ['aa:a@example.com|192.0.2.1', counted(5, 0, accountAddress)],
    ['ac:a@example.com', counted(10, 0, account)],
  ]);
  assert.deepEqual(decideAttempts(keys, states, 10), { ok: false, retryAfterMs: 15 * 60_000 - 10 });
  const ok = decideAttempts(keys, new Map(), 10);
  assert.ok(ok.ok && ok.next.size === 3);
});
