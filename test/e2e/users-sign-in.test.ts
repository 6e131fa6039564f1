/**
 * `services.users.signIn`: the password check behind the hosted login page, over the real
 * scrypt worker and the real database (SQLite, and PostgreSQL where its row locks differ).
 * Right and wrong passwords, unknown and blocked users, and the throttle: per account and
 * address, per address, per account from many addresses, and never shared between tenants.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSignet, type Harness } from '../support/harness.ts';
import { tenantId } from '../support/refusal-helpers.ts';
import { freshPostgresDatabase, postgresAvailable, requirePostgres } from '../support/services.ts';
import { RateLimitedError, UserSignInError } from '../../src/domain/errors.ts';
import { SIGN_IN_POLICIES } from '../../src/domain/sign-in-throttle.ts';

const CONNECTION = 'Username-Password-Authentication';
const PASSWORD = 'plum-orchard-4417';

async function refusedWith(p: Promise<unknown>, code: string): Promise<any> {
  const err: any = await p.then(
    () => assert.fail(`expected ${code}`),
    (e) => e,
  );
  if (code === 'rate_limited') {
    assert.ok(err instanceof RateLimitedError, `expected RateLimitedError, got ${err}`);
    assert.ok(err.retryAfterSeconds >= 1);
  } else {
    assert.ok(err instanceof UserSignInError, `expected UserSignInError, got ${err}`);
    assert.equal(err.code, code);
  }
  return err;
}

function suite(label: string, start: () => Promise<Harness | undefined>): void {
  describe(`users.signIn (${label})`, () => {
    let h: Harness | undefined;
    let tid: string;
    let otherTid: string;
    before(async () => {
      h = await start();
      if (!h) return;
      tid = await tenantId(h, await h.createTenant());
      otherTid = await tenantId(h, await h.createTenant());
    });
    after(() => h?.close());

    test('right password, wrong password, unknown user, blocked user', async (t) => {
      if (!h) return t.skip(`${label} not available`);
      const users = h.services.users;
      const created = await users.create(tid, { connection: CONNECTION, email: 'Ada@Example.com', password: PASSWORD });
      assert.equal(created.loginsCount, 0);
      assert.equal(created.lastLogin, null);

      const startedAt = h.clock.now();
      const signedIn = await users.signIn(tid, '  ada@example.COM ', PASSWORD, { ip: '192.0.2.10', userAgent: 'test' });
      const endedAt = h.clock.now();
      assert.equal(signedIn.userId, created.userId);
      assert.equal(signedIn.loginsCount, 1);
      assert.equal(signedIn.lastIp, '192.0.2.10');
      // The time of the attempt, however long the hash took on a busy machine.
      assert.ok(signedIn.lastLogin! >= startedAt && signedIn.lastLogin! <= endedAt, `${signedIn.lastLogin} in [${startedAt}, ${endedAt}]`);
      assert.equal('passwordHash' in signedIn, false, 'the hash never leaves the service');
      assert.equal((await users.get(tid, created.userId))!.loginsCount, 1);

      const wrong = await refusedWith(users.signIn(tid, 'ada@example.com', `${PASSWORD}x`, { ip: '192.0.2.10' }), 'wrong_password');
      assert.equal(wrong.userId, created.userId);
      assert.equal(wrong.message, 'Wrong email or password.');
      const unknown = await refusedWith(users.signIn(tid, 'nobody@example.com', PASSWORD, { ip: '192.0.2.10' }), 'unknown_user');
      assert.equal(unknown.message, wrong.message, 'one message for both, so it does not tell which emails exist');
      // Too long to be anyone's password: refused the same way, after the same one hash.
      await refusedWith(users.signIn(tid, 'ada@example.com', 'x'.repeat(5000), { ip: '192.0.2.10' }), 'wrong_password');

      // The user belongs to this tenant only.
      await refusedWith(users.signIn(otherTid, 'ada@example.com', PASSWORD, { ip: '192.0.2.10' }), 'unknown_user');
      assert.equal(await users.get(otherTid, created.userId), null);

      await users.update(tid, created.userId, { blocked: true });
      await refusedWith(users.signIn(tid, 'ada@example.com', PASSWORD, { ip: '192.0.2.10' }), 'blocked');
      // Only the right password learns that the account is blocked.
      await refusedWith(users.signIn(tid, 'ada@example.com', 'not-the-password', { ip: '192.0.2.10' }), 'wrong_password');
      await users.update(tid, created.userId, { blocked: false });
      assert.equal((await users.signIn(tid, 'ada@example.com', PASSWORD, { ip: '192.0.2.10' })).loginsCount, 2, 'blocked attempts are not logins');
    });

    test('an unknown email costs one hash, like a known one', async (t) => {
      if (!h) return t.skip(`${label} not available`);
      const users = h.services.users;
      await users.create(tid, { connection: CONNECTION, email: 'timing@example.com', password: PASSWORD });
      await refusedWith(users.signIn(tid, 'warm-up@example.com', PASSWORD, { ip: '192.0.2.20' }), 'unknown_user'); // makes the dummy hash
      const derived = () => h!.services.hasher.stats().derived;
      let before = derived();
      await refusedWith(users.signIn(tid, 'ghost@example.com', PASSWORD, { ip: '192.0.2.20' }), 'unknown_user');
      assert.equal(derived() - before, 1);
      before = derived();
      await refusedWith(users.signIn(tid, 'timing@example.com', 'wrong-password-1', { ip: '192.0.2.20' }), 'wrong_password');
      assert.equal(derived() - before, 1);
    });

    test('throttled per account and address, then per account from every address, per tenant', async (t) => {
      if (!h) return t.skip(`${label} not available`);
      const users = h.services.users;
      const victim = await users.create(tid, { connection: CONNECTION, email: 'victim@example.com', password: PASSWORD });
      // The same email on another tenant, to show counters are not shared.
      await users.create(otherTid, { connection: CONNECTION, email: 'victim@example.com', password: PASSWORD });
      const limit = SIGN_IN_POLICIES.accountAddress.limit;
      for (let i = 0; i < limit; i++) await refusedWith(users.signIn(tid, 'victim@example.com', `guess-${i}-xyz`, { ip: '198.51.100.7' }), 'wrong_password');
      // Locked for this address, even with the right password, and no hash is spent on it.
      const derived = h.services.hasher.stats().derived;
      const limited = await refusedWith(users.signIn(tid, 'victim@example.com', PASSWORD, { ip: '198.51.100.7' }), 'rate_limited');
      assert.equal(h.services.hasher.stats().derived, derived);
      assert.ok(limited.retryAfterSeconds > 60, `waits for the counter to reset: ${limited.retryAfterSeconds}`);
      // The same account on another tenant, from the same address: not throttled.
      assert.equal((await users.signIn(otherTid, 'victim@example.com', PASSWORD, { ip: '198.51.100.7' })).tenantId, otherTid);
      // The real user from elsewhere gets in.
      assert.equal((await users.signIn(tid, 'victim@example.com', PASSWORD, { ip: '203.0.113.50' })).userId, victim.userId);
      // The address-and-account counter resets with time.
      h.clock.advance(SIGN_IN_POLICIES.accountAddress.idleResetMs);
      assert.equal((await users.signIn(tid, 'victim@example.com', PASSWORD, { ip: '198.51.100.7' })).userId, victim.userId);

      // Many addresses, one account: the first `free` failures go through, then each must wait
      // twice as long as the one before (a hash takes ~1 s here, so the first waits of 1 s and
      // 2 s may pass while the next guess is checked; a 4 s one cannot).
      const { free } = SIGN_IN_POLICIES.account;
      for (let i = 0; i < free; i++) await refusedWith(users.signIn(tid, 'victim@example.com', `spray-${i}-xyz`, { ip: `10.1.0.${i + 1}` }), 'wrong_password');
      // A wait whose rounded-up seconds are under 3 may be almost over by the next call: move the
      // clock past it and guess again, until the wait is long enough to observe for certain.
      let backoff: any;
      let slowed = false;
      for (let i = 0; i < 8 && !backoff; i++) {
        const e: any = await users.signIn(tid, 'victim@example.com', `later-${i}-xyz`, { ip: `10.2.0.${i + 1}` }).catch((err) => err);
        if (!(e instanceof RateLimitedError)) {
          assert.equal(e.code, 'wrong_password');
          continue;
        }
        slowed = true;
        if (e.retryAfterSeconds >= 3) backoff = e;
        else h.clock.advance(e.retryAfterSeconds * 1000);
      }
      assert.ok(slowed, 'guesses from many addresses are slowed down');
      assert.ok(backoff, 'the wait doubles until it is seconds long');
      assert.ok(backoff.retryAfterSeconds <= 16, `a short backoff, not a lockout: ${backoff.retryAfterSeconds}`);
      // Refused even with the right password until the wait has passed; then the user gets in.
      await refusedWith(users.signIn(tid, 'victim@example.com', PASSWORD, { ip: '10.1.0.200' }), 'rate_limited');
      h.clock.advance(backoff.retryAfterSeconds * 1000);
      assert.equal((await users.signIn(tid, 'victim@example.com', PASSWORD, { ip: '10.1.0.200' })).userId, victim.userId);
    });

    test('throttled per address across accounts', async (t) => {
      if (!h) return t.skip(`${label} not available`);
      const users = h.services.users;
      const someone = await users.create(tid, { connection: CONNECTION, email: 'someone@example.com', password: PASSWORD });
      const { limit } = SIGN_IN_POLICIES.address;
      for (let i = 0; i < limit; i++) await refusedWith(users.signIn(tid, `spray-${i}@example.com`, PASSWORD, { ip: '2001:db8:7:7::1' }), 'unknown_user');
      // Another host in the same IPv6 /64 is the same address for the throttle.
      await refusedWith(users.signIn(tid, 'someone@example.com', PASSWORD, { ip: '2001:db8:7:7::beef' }), 'rate_limited');
      assert.equal((await users.signIn(tid, 'someone@example.com', PASSWORD, { ip: '2001:db8:7:8::1' })).userId, someone.userId);
      // Nothing was recorded for the refused attempt.
      assert.equal((await users.get(tid, someone.userId))!.lastIp, '2001:db8:7:8::1');
    });
  });
}

suite('SQLite', () => startSignet());
let pgDrop: (() => Promise<void>) | undefined;
suite('PostgreSQL', async () => {
  if (!(await postgresAvailable())) {
    await requirePostgres({ skip: () => undefined });
    return undefined;
  }
  const db = await freshPostgresDatabase();
  pgDrop = db.drop;
  return startSignet({ databaseUrl: db.url });
});
after(() => pgDrop?.());
