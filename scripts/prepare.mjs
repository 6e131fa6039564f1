#!/usr/bin/env node
// npm install / npm ci run this: build the dashboard (Vite) into dist/dashboard. An install
// without dev dependencies (npm ci --omit=dev) has no Vite: say so instead of failing the
// install; the server then answers /dashboard with how to build it.
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
let vite;
try {
  vite = join(dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
} catch {
  console.warn('signet: Vite is not installed (dev dependencies omitted), so the dashboard was not built. Run `npm run build` where dev dependencies are installed.');
  process.exit(0);
}
const r = spawnSync(process.execPath, [vite, 'build', '--config', 'src/web/vite.config.ts'], { stdio: 'inherit' });
process.exit(r.status ?? 1);
