#!/usr/bin/env node
// Entry point for `signet` / `npx signet` / `npm start`: runs the compiled server (dist/server,
// built by `npm run build`, which `npm install` runs) with plain node, no loader.
//
// In a checkout (src/ beside dist/) the compiled output runs only while it is current: its
// build-stamp.json holds the digest of the sources it was compiled from, and that must be the
// digest of the sources here now. Otherwise (sources edited, branch switched, never built) the
// sources run through tsx, a dev dependency, with a notice: neither a test nor a developer ever
// runs stale JavaScript by accident. Without src/ (the Docker image) dist/server runs as it is.
import cluster from 'node:cluster';
import { existsSync, readFileSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath } from 'node:url';

// Node 22.1+ keeps the code it compiles for every module loaded from here on in a cache on disk
// (under the system's temporary directory), so later starts skip most of that work. Node 20 has
// no such cache.
module.enableCompileCache?.();

const root = new URL('../', import.meta.url);
const compiled = new URL('dist/server/cli/main.js', root);

async function compiledIsCurrent() {
  if (!existsSync(compiled)) return false;
  if (!existsSync(new URL('src/cli/main.ts', root))) return true;
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(new URL('dist/server/build-stamp.json', root), 'utf8'));
  } catch {
    return false;
  }
  const { sourceDigest } = await import('../scripts/source-digest.mjs');
  return stamp.digest === sourceDigest(fileURLToPath(root));
}

if (await compiledIsCurrent()) {
  await import(compiled.href);
} else {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    console.error(
      existsSync(compiled)
        ? 'signet: dist/server was compiled from other sources than those in src/. Run `npm run build`.'
        : 'signet: the server is not compiled (no dist/server). Run `npm run build` where dev dependencies are installed.',
    );
    process.exit(1);
  }
  // Once per server: cluster workers re-run this file.
  if (cluster.isPrimary) {
    console.error(`signet: running the TypeScript sources through tsx (dist/server ${existsSync(compiled) ? 'was compiled from other sources' : 'is not built'}; \`npm run build\` compiles it).`);
  }
  register();
  await import(new URL('src/cli/main.ts', root).href);
}
