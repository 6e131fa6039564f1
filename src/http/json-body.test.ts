import assert from 'node:assert/strict';
import { test } from 'node:test';
import { repeatedMemberName } from './json-body.ts';

test('repeatedMemberName finds a top-level name given twice, compared decoded, and nothing else', () => {
  assert.equal(repeatedMemberName('{"a":1,"b":2}'), undefined);
  assert.equal(repeatedMemberName('{"a":1,"b":2,"a":3}'), 'a');
  assert.equal(repeatedMemberName('{ "a" : 1 , "a" : 1 }'), 'a');
  assert.equal(repeatedMemberName('{"client_assertion":"x","client\\u005fassertion":"y"}'), 'client_assertion');
  assert.equal(repeatedMemberName('{"":1,"":2}'), '');
  // Inside values, names and look-alikes are not parameters.
  assert.equal(repeatedMemberName('{"a":{"b":1,"b":2},"c":[{"b":1},{"b":2}]}'), undefined);
  assert.equal(repeatedMemberName('{"a":"\\",\\"a\\":","b":"x"}'), undefined);
  assert.equal(repeatedMemberName('{"a":"\\\\","a":1}'), 'a', 'an escaped backslash ends its string');
  assert.equal(repeatedMemberName('{"a":[1,"a",2],"b":{"a":{"a":1}},"a":0}'), 'a');
});
