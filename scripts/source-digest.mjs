// The digest of everything the compiled server is made from: the server's sources (src/, less
// the dashboard and the tests) and the compiler settings. `npm run build` writes it next to its
// output; bin/signet.js runs that output only while the digest still matches, so a checkout
// whose sources changed after the last build never runs stale JavaScript by accident.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** Files the server build reads, relative to `root`, sorted. */
export function serverSourceFiles(root) {
  const out = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const rel = relative(root, path).split(sep).join('/');
      if (entry.isDirectory()) {
        if (rel !== 'src/web') walk(path);
      } else if (!entry.name.endsWith('.test.ts')) out.push(rel);
    }
  };
  walk(join(root, 'src'));
  out.push('tsconfig.json', 'tsconfig.build.json');
  return out.sort();
}

/** SHA-256 over each file's path and content (about 170 files: a few milliseconds). */
export function sourceDigest(root) {
  const h = createHash('sha256');
  for (const rel of serverSourceFiles(root)) {
    const body = readFileSync(join(root, rel));
    h.update(`${rel}\0${body.length}\0`).update(body);
  }
  return h.digest('hex');
}
