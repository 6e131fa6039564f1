import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkNewPassword, hashPassword, verifyPassword } from './password-hash.ts';

test('hashPassword: salted scrypt that verifies only the same password', async () => {
  const a = await hashPassword('correct horse battery');
  const b = await hashPassword('correct horse battery');
  assert.match(a, /^scrypt\$131072\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
  assert.notEqual(a, b);
  assert.ok(!a.includes('horse'));
  assert.equal(await verifyPassword('correct horse battery', a), true);
  assert.equal(await verifyPassword('correct horse batterY', a), false);
  assert.equal(await verifyPassword('', a), false);
});

test('verifyPassword: malformed or hostile stored values are a "no", never a throw or a huge allocation', async () => {
  for (const stored of ['', 'plain', 'scrypt$x$8$1$abc$def', 'scrypt$1073741824$8$1$YWJj$ZGVm', 'bcrypt$10$abc']) {
    assert.equal(await verifyPassword('anything at all', stored), false);
  }
});

test('checkNewPassword: 12 to 1024 characters', () => {
  assert.throws(() => checkNewPassword('elevenchars'), { code: 'weak_password' });
  checkNewPassword('twelve chars');
  assert.throws(() => checkNewPassword('x'.repeat(1025)), { code: 'invalid_password' });
});
