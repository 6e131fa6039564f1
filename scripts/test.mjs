#!/usr/bin/env node
// Runs every *.test.ts under src/ and test/ with node:test through tsx.
// (Node 20's --test does not expand globs itself.)
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function collect(dir, out) {
  let entries;
  try { entries = readdirSync(dir); } catch { return out; }
  for (const name of entries) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) collect(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

// Arguments are substrings of the files to run; `--skip=SUBSTRING` leaves matching files out.
const args = process.argv.slice(2);
const filter = args.filter((a) => !a.startsWith('--skip='));
const skip = args.filter((a) => a.startsWith('--skip=')).map((a) => a.slice('--skip='.length));
let files = collect('src', collect('test', [])).sort();
if (filter.length) files = files.filter((f) => filter.some((x) => f.includes(x)));
if (skip.length) files = files.filter((f) => !skip.some((x) => f.includes(x)));
if (!files.length) { console.error('no test files matched'); process.exit(1); }
// A test that hangs fails by name after 10 minutes instead of running CI out of time.
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=600000', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
