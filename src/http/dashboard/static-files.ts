import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where `npm run build` (Vite) writes the dashboard: dist/dashboard under the package root. The
 * root is found from this module, which runs from src/http/dashboard/ in development and from
 * dist/server/http/dashboard/ when compiled, so it is looked up (the nearest package.json)
 * rather than counted in `..` steps.
 */
export const DASHBOARD_DIST = join(packageRoot(dirname(fileURLToPath(import.meta.url))), 'dist', 'dashboard');

function packageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`No package.json above ${from}: cannot locate the dashboard's files.`);
  }
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

export interface StaticFile {
  body: Buffer;
  type: string;
  /** Vite's hashed asset names never change content: cache them for a year. */
  immutable: boolean;
}

/**
 * The built dashboard, read into memory once: URL path (under /dashboard/) → file. Only files
 * that exist at start-up are ever served, so no request path is joined onto the file system
 * (no traversal to think about). Returns null when the dashboard has not been built.
 */
export function loadDashboardFiles(dir = DASHBOARD_DIST): Map<string, StaticFile> | null {
  if (!existsSync(join(dir, 'index.html'))) return null;
  const files = new Map<string, StaticFile>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else {
        const rel = relative(dir, path).split(sep).join('/');
        files.set(rel, { body: readFileSync(path), type: TYPES[extname(name)] ?? 'application/octet-stream', immutable: rel.startsWith('assets/') });
      }
    }
  };
  walk(dir);
  return files;
}
