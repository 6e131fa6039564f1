import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './support/free-port.ts';
import { browse, CookieJar } from './support/sign-in.ts';

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

/**
 * The README's "Sign users in": its shell block creates a user and a Regular Web app, its
 * app.mjs (express-openid-connect, Private Key JWT) runs as printed with the ports changed, and
 * a user agent signs Ada in through the hosted login page and reads /profile.
 */
test('README sign-in walk-through: express-openid-connect signs a user in with Private Key JWT', async (t) => {
  const readme = readFileSync('README.md', 'utf8');
  const shell = /<!-- signin-walkthrough:start -->\s*```sh\n([\s\S]*?)```\s*<!-- signin-walkthrough:end -->/.exec(readme)?.[1];
  const appJs = /<!-- signin-app:start -->\s*```js\n([\s\S]*?)```\s*<!-- signin-app:end -->/.exec(readme)?.[1];
  assert.ok(shell && appJs, 'README has the sign-in blocks');
  const [port, appPort] = [await freePort(), await freePort()];
  // app.mjs imports express from this repository's node_modules, so it runs from a folder inside it.
  mkdirSync(resolve('test-output'), { recursive: true });
  const dir = mkdtempSync(join(resolve('test-output'), 'readme-signin-'));
  const bin = resolve('bin/signet.js');
  const env = { ...process.env, PORT: String(port), SIGNET_DATA_DIR: join(dir, 'data'), SIGNET_PUBLIC_URL: `http://localhost:${port}` };
  const server = spawn(process.execPath, [bin, 'serve'], { env, cwd: dir, stdio: 'ignore' });
  let app: ReturnType<typeof spawn> | undefined;
  t.after(() => {
    server.kill('SIGTERM');
    app?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });
  await waitFor(`http://localhost:${port}/.well-known/jwks.json`);
  const script = `set -euo pipefail\nnpx() { shift; node ${JSON.stringify(bin)} "$@"; }\n` + shell.replaceAll('localhost:3000', `localhost:${port}`).replaceAll('localhost:3001', `localhost:${appPort}`);
  const r = spawnSync('bash', ['-c', script], { env, cwd: dir, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `sign-in walkthrough failed:\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout.trim().split('\n').pop()!, /^[A-Za-z0-9]{32}$/, `last line is the client_id: ${r.stdout}`);

  writeFileSync(join(dir, 'app.mjs'), appJs.replaceAll('localhost:3000', `localhost:${port}`).replaceAll('localhost:3001', `localhost:${appPort}`).replace('app.listen(3001,', `app.listen(${appPort},`));
  let appErr = '';
  app = spawn(process.execPath, ['app.mjs'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  app.stderr!.on('data', (d) => (appErr += d));
  await waitFor(`http://localhost:${appPort}/`, () => appErr);

  const jar = new CookieJar();
  const signedIn = await browse(fetch, `http://localhost:${appPort}/login`, { email: 'ada@example.com', password: 'analytical engine 1843' }, jar);
  assert.equal(signedIn.status, 200, `${signedIn.url} ${signedIn.body.slice(0, 300)} ${appErr}`);
  assert.match(signedIn.body, /Hello Ada Lovelace/);
  const profile = await browse(fetch, `http://localhost:${appPort}/profile`, undefined, jar);
  const claims = JSON.parse(profile.body);
  assert.equal(claims.email, 'ada@example.com');
  assert.equal(claims.name, 'Ada Lovelace');
  assert.match(claims.sub, /^auth0\|/);
});

async function waitFor(url: string, why: () => string = () => ''): Promise<void> {
  for (let i = 0; i < 150; i++) {
    try {
      if ((await fetch(url)).status < 500) return;
    } catch {
      /* starting */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer: ${why()}`);
}
