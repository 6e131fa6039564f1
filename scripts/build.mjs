#!/usr/bin/env node
// `npm run build [-- server|dashboard]`: compiles the server (TypeScript → dist/server) and the
// dashboard (Vite → dist/dashboard). `npm start` runs dist/server with plain node.
//
// The server is compiled by tsc, the compiler `npm run typecheck` already runs: one module per
// source file with the same layout, `.ts` import specifiers rewritten to `.js`
// (rewriteRelativeImportExtensions), source maps so stack traces name the .ts lines. Types are
// checked by `npm run typecheck` (CI runs it), so the build only emits (--noCheck): a third of the
// time, which every `npm install` pays.
//
// The output is written to a fresh directory and moved into place with its digest of the sources
// (scripts/source-digest.mjs), so a half-written or stale dist/server is never taken for current.
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sourceDigest } from './source-digest.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
export const STAMP = 'build-stamp.json';

/** The path of a dev dependency's executable, or null when dev dependencies were omitted. */
export function devTool(pkg, bin) {
  try {
    return join(dirname(require.resolve(`${pkg}/package.json`)), bin);
  } catch {
    return null;
  }
}

function run(args) {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${args.slice(0, 2).join(' ')} failed (exit ${r.status ?? r.signal})`);
}

export function buildServer() {
  const tsc = devTool('typescript', 'bin/tsc');
  if (!tsc) throw new Error('TypeScript is not installed (dev dependencies omitted): cannot compile the server.');
  const digest = sourceDigest(root);
  const out = join(root, 'dist', 'server');
  const staging = join(root, 'dist', `.server-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    run([tsc, '-p', 'tsconfig.build.json', '--noCheck', '--outDir', staging]);
    writeFileSync(join(staging, STAMP), JSON.stringify({ digest, builtAt: new Date().toISOString() }) + '\n');
    rmSync(out, { recursive: true, force: true });
    renameSync(staging, out);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  console.log('signet: server compiled into dist/server');
}

export function buildDashboard() {
  const vite = devTool('vite', 'bin/vite.js');
  if (!vite) throw new Error('Vite is not installed (dev dependencies omitted): cannot build the dashboard.');
  run([vite, 'build', '--config', 'src/web/vite.config.ts']);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const what = process.argv[2] ?? 'all';
  if (!['all', 'server', 'dashboard'].includes(what)) {
    console.error('Usage: node scripts/build.mjs [server|dashboard]');
    process.exit(2);
  }
  try {
    if (what !== 'dashboard') buildServer();
    if (what !== 'server') buildDashboard();
  } catch (err) {
    console.error(`signet: ${err.message}`);
    process.exit(1);
  }
}
