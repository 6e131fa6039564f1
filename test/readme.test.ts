import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './support/free-port.ts';

/**
 * The README's walk-through, pasted into bash as a newcomer would, against `signet serve`.
 * If this fails, the README is lying.
 */
test('README walk-through gets a token with a private-key-signed assertion', async (t) => {
  const readme = readFileSync('README.md', 'utf8');
  const block = /<!-- walkthrough:start -->\s*```sh\n([\s\S]*?)```\s*<!-- walkthrough:end -->/.exec(readme)?.[1];
  assert.ok(block, 'README has a walkthrough block');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'signet-readme-'));
  const bin = resolve('bin/signet.js');
  const env = { ...process.env, PORT: String(port), SIGNET_DATA_DIR: join(dir, 'data'), SIGNET_PUBLIC_URL: `http://localhost:${port}` };
  const server = spawn(process.execPath, [bin, 'serve'], { env, cwd: dir, stdio: 'ignore' });
  t.after(() => {
    server.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://localhost:${port}/.well-known/jwks.json`)).ok) break;
    } catch {
      /* starting */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  // Same commands; only the port differs and `npx signet` is this checkout's bin.
  const script = `set -euo pipefail\nnpx() { shift; node ${JSON.stringify(bin)} "$@"; }\n` + block.replace('SIGNET=http://localhost:3000', `SIGNET=http://localhost:${port}`);
  const r = spawnSync('bash', ['-c', script], { env, cwd: dir, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `walkthrough failed:\n${r.stdout}\n${r.stderr}`);
  const token = r.stdout.trim().split('\n').pop()!;
  assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/, `last line is a JWT: ${r.stdout}`);
  const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
  assert.equal(payload.aud, 'https://orders.example.com/');
  assert.equal(payload.scope, 'read:orders');
  assert.equal(payload.iss, `http://localhost:${port}/`);
});
