/**
 * Hostile input costs little: text a caller controls is never read by anything that does
 * super-linear work on it. Each parser gets inputs of the shapes that make backtracking regular
 * expressions explode, at the largest size its route accepts (or larger), and must answer in
 * well under a second. The work runs in a child process (see time-in-child.ts), so a regression fails
 * by name instead of freezing the suite.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_PEM_LENGTH } from '../src/domain/credentials/parse-credential-pem.ts';
import { rsaKey, spkiPem } from './support/credential-material.ts';
import { looksLikePrivateKey } from '../src/web/credentials/pem.ts';
import { timeEachInChild, type Timing } from './support/time-in-child.ts';
import { MAX_QUERY_LENGTH } from '../src/domain/log-query.ts';

/** Far above what any of these takes when linear (a few ms), far below what the defects took. */
const QUICK_MS = 1000;

/** `prefix`, then `unit` repeated, then `suffix`, `size` characters in all (give or take a unit). */
function shape(prefix: string, unit: string, suffix: string, size: number): string {
  return prefix + unit.repeat(Math.floor((size - prefix.length - suffix.length) / unit.length)) + suffix;
}

function assertAllQuick(timings: Record<string, Timing>, inputs: Record<string, unknown>, outcomes: readonly string[]): void {
  assert.deepEqual(Object.keys(timings).sort(), Object.keys(inputs).sort());
  for (const [name, { ms, outcome }] of Object.entries(timings)) {
    assert.ok(outcomes.includes(outcome), `${name}: ended with ${outcome}`);
    assert.ok(ms < QUICK_MS, `${name}: took ${ms.toFixed(0)} ms`);
  }
}

describe('credential PEM parsing is linear in the paste', () => {
  // Just under the limit, so every shape reaches the armour parser. Each ends in a non-blank
  // character, because surrounding whitespace is trimmed before parsing.
  const size = MAX_PEM_LENGTH - 16;
  const body = spkiPem(rsaKey(2048)).split('\n').slice(1, -2).join('\n');
  const hostile: Record<string, string> = {
    'BEGIN then tabs': shape('-----BEGIN ', '\t', 'x', size),
    'BEGIN then spaces': shape('-----BEGIN ', ' ', 'x', size),
    'BEGIN then mixed blanks': shape('-----BEGIN ', ' \t', 'x', size),
    'END then tabs': shape('-----END ', '\t', 'x', size),
    'blanks before BEGIN': shape('-----', ' \t', 'BEGIN x', size),
    'BEGIN, tabs, one dash': shape('-----BEGIN ', '\t', '-x', size),
    'BEGIN, tabs, four dashes': shape('-----BEGIN ', '\t', '----x', size),
    'BEGIN, tabs, a newline': shape('-----BEGIN ', '\t', '\n-----x', size),
    'repeated BEGIN': shape('', '-----BEGIN ', 'x', size),
    'repeated BEGIN and tabs': shape('', `-----BEGIN ${'\t'.repeat(500)}`, 'x', size),
    'repeated dashes': shape('', '-', 'x', size),
    'dashes, then BEGIN and tabs': shape('-'.repeat(size / 2), '\t', 'x', size).replace(/-\t/, '-BEGIN \t'),
    'repeated dashes and blanks': shape('', '----- ', 'x', size),
    'long label': shape('-----BEGIN ', 'A', '', size),
    'long label of words': shape('-----BEGIN ', 'PUBLIC ', 'KEY', size),
    'nested boundaries': shape('', '-----BEGIN -----END ', 'x', size),
    'nested labelled boundaries': shape('', '-----BEGIN PUBLIC KEY-----BEGIN ', 'x', size),
    'no END': shape(`-----BEGIN PUBLIC KEY-----\n${body}\n`, 'AAAA', '', size),
    'END line of tabs': shape(`-----BEGIN PUBLIC KEY-----\n${body}\n-----END `, '\t', 'x', size),
    'private-key words then blanks': shape('BEGIN', ' ', 'x', size),
    'many label words': shape('BEGIN ', 'A ', 'x', size),
    'repeated END words': shape('', 'END ', 'x', size),
    'PRIVATE KEY then blanks': shape('PRIVATE KEY', ' ', '-x', size),
    'JWK key name then blanks': shape('{"d"', ' ', 'x', size),
    'short base64 words': shape('', 'AAAA ', 'x', size),
    'literal \\n sequences': shape('-----BEGIN ', '\\t\\n', 'x', size),
  };
  const valid = { 'a valid public key': spkiPem(rsaKey(2048)) };

  it('refuses 16 KB hostile PEMs of every shape in well under a second each', async () => {
    for (const [name, text] of Object.entries(hostile)) {
      assert.ok(text.length > MAX_PEM_LENGTH - 64 && text.length <= MAX_PEM_LENGTH, `${name}: ${text.length} characters`);
    }
    const url = new URL('../src/domain/credentials/parse-credential-pem.ts', import.meta.url);
    const timings = await timeEachInChild(url, 'parseCredentialPem', { ...hostile, ...valid });
    assert.equal(timings['a valid public key']!.outcome, 'returned', 'the child really parses');
    delete timings['a valid public key'];
    assertAllQuick(timings, hostile, ['invalid_pem', 'private_key_refused']);
  });
});

describe('the log search parser is linear in q', () => {
  // q is refused past MAX_QUERY_LENGTH before it is tokenized; at that length, no shape of
  // input makes the tokenizer or the parser do more than a pass over it.
  const size = MAX_QUERY_LENGTH;
  const hostile: Record<string, string> = {
    'blanks inside a term': shape('type:x', ' ', 'x', size),
    'blanks around AND': shape('type:x', ' ', ' AND', size) + ' client_id:y',
    'many ANDs': shape('type:x', ' AND ', 'x', size),
    'long ORs': shape('type:a', ' OR type:a', '', size),
    'blank runs broken by A': shape('type:x', ' \tA', 'x', size),
    'a long value': shape('type:"', 'a', '" x', size),
    'leading blanks': shape('', ' ', 'type:x', size),
    'opening parentheses': '('.repeat(size),
    'closing parentheses': ')'.repeat(size),
    'closing brackets': ']'.repeat(size),
    'NOT after NOT': shape('', 'NOT ', 'type:x', size),
    'wildcards in one value': shape('description:', '*abc', '', size),
    'a quote never closed, full of escapes': shape('description:"', '\\"', '', size),
    'ranges that never close': shape('date:', '[', '', size),
    'far too long': shape('type:x', ' OR type:x', '', 64 * 1024),
  };
  const valid = { 'a valid query': 'type:"feccft" AND (client_id:"abc" OR client_name:web*) AND date:[2024-01-01 TO *]' };

  it('answers hostile queries in well under a second each', async () => {
    const url = new URL('../src/domain/log-query.ts', import.meta.url);
    const timings = await timeEachInChild(url, 'parseLogQuery', { ...hostile, ...valid });
    assert.equal(timings['a valid query']!.outcome, 'returned', 'the child really parses');
    delete timings['a valid query'];
    assertAllQuick(timings, hostile, ['invalid_query_string', 'returned']);
  });
});

describe('the repeated-parameter check of JSON token bodies is linear in the body', () => {
  // The token route reads at most 16 KB; these are four times that.
  const size = 64 * 1024;
  const members = (n: number) => `{${Array.from({ length: n }, (_, i) => `"p${i}":${i}`).join(',')}}`;
  const hostile: Record<string, string> = {
    'many members': members(6000),
    'many members, the last repeated': members(6000).replace(/}$/, ',"p0":0}'),
    'deep nesting': `{"a":${'['.repeat(size / 2 - 8)}${']'.repeat(size / 2 - 8)}}`,
    'a run of escaped backslashes': `{"a":"${'\\\\'.repeat(size / 2 - 8)}"}`,
    'a run of escaped quotes': `{"a":"${'\\"'.repeat(size / 2 - 8)}"}`,
    'backslashes before each quote': `{"a":[${Array.from({ length: 2000 }, () => `"${'\\\\'.repeat(8)}\\""`).join(',')}]}`,
    'many short strings': `{"a":[${'"",'.repeat(size / 3 - 4)}""]}`,
  };

  it('answers 64 KB bodies in well under a second each', async () => {
    for (const [name, text] of Object.entries(hostile)) assert.doesNotThrow(() => JSON.parse(text), name);
    const url = new URL('../src/http/json-body.ts', import.meta.url);
    const timings = await timeEachInChild(url, 'repeatedMemberName', hostile);
    assertAllQuick(timings, hostile, ['returned']);
  });
});

describe("the dashboard's private-key check is linear in the paste", () => {
  // It runs in the browser on every keystroke, and on files of up to MAX_PEM_FILE_BYTES.
  const size = 64 * 1024;
  const hostile: Record<string, string> = {
    'a run of dashes': shape('', '-', 'x', size),
    'runs of dashes and blanks': shape('', '--- ', 'x', size),
    'dashes, then blanks': shape('---', ' ', 'x', size),
    'repeated BEGIN lines': shape('', '-----BEGIN ', 'x', size),
    'a long label': shape('-----BEGIN ', 'A', '', size),
    'PRIVATE KEY then blanks': shape('PRIVATE KEY', ' ', 'x', size),
  };

  it('still catches private key labels, whatever the run of dashes before them', () => {
    for (const label of ['-----BEGIN PRIVATE KEY-----', '---BEGIN RSA PRIVATE KEY---', '-------- begin encrypted private key', '--\n---BEGIN EC PRIVATE KEY']) {
      assert.equal(looksLikePrivateKey(label), true, label);
    }
    for (const label of ['-----BEGIN PUBLIC KEY-----', '--BEGIN PRIVATE KEY', '-----BEGIN CERTIFICATE-----\nPRIVATE KEY']) {
      assert.equal(looksLikePrivateKey(label), false, label);
    }
  });

  it('answers 64 KB pastes in well under a second each', async () => {
    const url = new URL('../src/web/credentials/pem.ts', import.meta.url);
    const timings = await timeEachInChild(url, 'looksLikePrivateKey', hostile);
    assertAllQuick(timings, hostile, ['returned']);
  });
});
