import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scrypt } from 'node:crypto';
import { checkNewPassword, hashPassword, scryptMaxmem, verifyPassword, type DeriveKey } from './password-hash.ts';

/** Node's scrypt, as the rules are given it (the server runs the same function on a worker thread). */
const derive: DeriveKey = (password, salt, params, keyLength) =>
  new Promise((resolve, reject) => scrypt(password, salt, keyLength, { ...params, maxmem: scryptMaxmem(params) }, (err, key) => (err ? reject(err) : resolve(key))));

test('hashPassword: salted scrypt that verifies only the same password', async () => {
  const a = await hashPassword('correct horse battery', derive);
  const b = await hashPassword('correct horse battery', derive);
  assert.match(a, /^scrypt\$131072\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
  assert.notEqual(a, b);
  assert.ok(!a.includes('horse'));
  assert.equal(await verifyPassword('correct horse battery', a, derive), true);
  assert.equal(await verifyPassword('correct horse batterY', a, derive), false);
  assert.equal(await verifyPassword('', a, derive), false);
});

test('verifyPassword: malformed or hostile stored values are a "no", never a throw or a huge allocation', async () => {
  let derived = 0;
  const counting: DeriveKey = (...args) => (derived++, derive(...args));
  for (const stored of ['', 'plain', 'scrypt$x$8$1$abc$def', 'scrypt$1073741824$8$1$YWJj$ZGVm', 'scrypt$3$8$1$YWJj$ZGVm', 'scrypt$1024$0$1$YWJj$ZGVm', 'bcrypt$10$abc']) {
    assert.equal(await verifyPassword('anything at all', stored, counting), false);
  }
  assert.equal(derived, 0, 'refused before any key derivation');
});

test('checkNewPassword: 12 to 1024 characters', () => {
  assert.throws(() => checkNewPassword('elevenchars'), { code: 'weak_password' });
  checkNewPassword('twelve chars');
  assert.throws(() => checkNewPassword('x'.repeat(1025)), { code: 'invalid_password' });
});
