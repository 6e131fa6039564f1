import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { parseTrustProxy } from '../src/config.ts';

test('SIGNET_TRUST_PROXY takes a hop count or proxy addresses and CIDR ranges', () => {
  for (const off of [undefined, '', 'false', '0']) assert.equal(parseTrustProxy(off), false);
  assert.equal(parseTrustProxy('1'), 1);
  assert.equal(parseTrustProxy('2'), 2);
  assert.deepEqual(parseTrustProxy('10.0.0.0/8, 192.168.0.1,2001:db8::/32'), ['10.0.0.0/8', '192.168.0.1', '2001:db8::/32']);
  for (const bad of ['10.0.0.0/33', '2001:db8::/129', 'proxy.example', '10.0.0.1/8/1', '1.2.3', '10.0.0.0/', 'yes']) {
    assert.throws(() => parseTrustProxy(bad), /SIGNET_TRUST_PROXY: ".*" is not an IP address or CIDR range/, bad);
  }
});

test('SIGNET_TRUST_PROXY=true is refused at start-up, saying what to write instead', () => {
  assert.throws(() => parseTrustProxy('true'), /SIGNET_TRUST_PROXY=1.*SIGNET_TRUST_PROXY=10\.0\.0\.0\/8,192\.168\.0\.1/);
  const r = spawnSync(process.execPath, [resolve('bin/signet.js'), 'serve'], {
    env: { ...process.env, PORT: '0', SIGNET_TRUST_PROXY: 'true', SIGNET_MASTER_KEY: 'ab'.repeat(32), SIGNET_DATABASE_URL: 'sqlite::memory:' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /SIGNET_TRUST_PROXY=true would believe every address in X-Forwarded-For/);
  assert.doesNotMatch(r.stdout, /serving/);
});
