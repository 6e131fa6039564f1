import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkUserPassword, isCommonPassword, PASSWORD_MAX_BYTES } from './password-policy.ts';

const refused = (password: unknown, message: RegExp) =>
  assert.throws(() => checkUserPassword(password), (err: any) => err.code === 'invalid_body' && err.field === 'password' && message.test(err.message));

test('at least 8 characters, counted as code points', () => {
  refused('Zq9!xk2', /^PasswordStrengthError: Password is too weak: it must be at least 8 characters/);
  refused('', /at least 8/);
  // Seven emoji are 14 UTF-16 units but 7 characters.
  refused('🦊'.repeat(7), /at least 8/);
  checkUserPassword('🦊'.repeat(8));
  checkUserPassword('Zq9!xk2m');
});

test('at most 256 bytes of UTF-8, since bytes are what the hash costs', () => {
  checkUserPassword('k'.repeat(PASSWORD_MAX_BYTES));
  refused('k'.repeat(PASSWORD_MAX_BYTES + 1), /^PasswordStrengthError: Password is too long: it must be at most 256 bytes/);
  // 86 three-byte characters: 86 characters, 258 bytes.
  refused('€'.repeat(86), /at most 256 bytes/);
});

test('the most common passwords are refused, whatever their case', () => {
  for (const p of ['password', '12345678', 'iloveyou', 'PASSWORD', 'Qwertyuiop', 'baseball', 'football']) {
    refused(p, /^PasswordDictionaryError: Password is too common/);
  }
  assert.equal(isCommonPassword('correct horse battery staple 9'), false);
  checkUserPassword('correct horse battery staple 9');
});

test('a password must be a string', () => {
  refused(12345678, /must be a string/);
  refused(null, /must be a string/);
});

test('the check is a lookup: 100,000 checks take well under a second', () => {
  isCommonPassword('warm up');
  const t0 = performance.now();
  for (let i = 0; i < 100_000; i++) isCommonPassword(`candidate-${i}`);
  assert.ok(performance.now() - t0 < 1000);
});
