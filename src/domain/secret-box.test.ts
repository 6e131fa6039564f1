import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { SecretBox } from './secret-box.ts';

test('a box seals with its master key and opens with it or with the other keys it is given', () => {
  const [oldKey, newKey] = [randomBytes(32), randomBytes(32)];
  const sealedOld = new SecretBox(oldKey).seal('secret', 'client_secret:a');
  const rollover = new SecretBox(newKey, [oldKey]);
  assert.equal(rollover.open(sealedOld, 'client_secret:a'), 'secret');
  const sealedNew = rollover.seal('secret', 'client_secret:a');
  assert.equal(new SecretBox(newKey).open(sealedNew, 'client_secret:a'), 'secret', 'sealed with the master key');
  assert.throws(() => new SecretBox(oldKey).open(sealedNew, 'client_secret:a'), /cannot be opened with the master key/);
  assert.throws(() => new SecretBox(newKey).open(sealedOld, 'client_secret:a'), /cannot be opened/);
  assert.throws(() => rollover.open(sealedOld, 'client_secret:b'), /cannot be opened/, 'the AAD still binds a value to its row');
  assert.throws(() => new SecretBox(newKey, [Buffer.alloc(16)]), /32 bytes/);
});
