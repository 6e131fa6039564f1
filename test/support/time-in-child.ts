/**
 * Times a synchronous function on hostile inputs in a child process.
 *
 * Why a separate process: the defect these tests pin is a call that does not return for
 * minutes (catastrophic regex backtracking). Run on the test's own thread it would block the
 * runner, and no timeout could fire; in a child, the call is cut off by killing the child, and
 * the test fails with the name of the input that was still running. (A worker thread would do,
 * but Node 20 does not hand the TypeScript loader on to workers.)
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface Timing {
  /** Wall-clock milliseconds the call took. */
  ms: number;
  /** `returned`, or the thrown error's `code` (its message when it has none). */
  outcome: string;
}

/** Reads `{ moduleUrl, exportName, inputs }` as JSON on stdin, answers one JSON line per event. */
const CHILD_SOURCE = `
import { performance } from 'node:perf_hooks';
let json = '';
for await (const chunk of process.stdin) json += chunk;
const { moduleUrl, exportName, inputs } = JSON.parse(json);
const fn = (await import(moduleUrl))[exportName];
const say = (m) => process.stdout.write(JSON.stringify(m) + '\\n');
say({ ready: true });
for (const [name, input] of Object.entries(inputs)) {
  say({ started: name });
  const start = performance.now();
  let outcome = 'returned';
  try { fn(input); } catch (error) { outcome = error?.code ? String(error.code) : String(error?.message); }
  say({ name, ms: performance.now() - start, outcome });
}
say({ done: true });
`;

interface Message {
  ready?: true;
  started?: string;
  done?: true;
  name?: string;
  ms?: number;
  outcome?: string;
}

/**
 * Calls `module[exportName](input)` for each input, in order, and returns how long each took
 * and how it ended. Rejects, naming the input, when one call runs longer than `cutOffMs` (the
 * child is then killed). Starting the child and loading the module get their own, generous,
 * allowance, so a slow start on a loaded machine is not mistaken for a slow call.
 */
export function timeEachInChild(
  moduleUrl: URL,
  exportName: string,
  inputs: Record<string, unknown>,
  { cutOffMs = 10_000, loadMs = 60_000 }: { cutOffMs?: number; loadMs?: number } = {},
): Promise<Record<string, Timing>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', CHILD_SOURCE], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const timings: Record<string, Timing> = {};
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const settle = (error?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      if (error) reject(error);
      else resolve(timings);
    };
    const allow = (ms: number, what: string): void => {
      clearTimeout(timer);
      timer = setTimeout(() => settle(new Error(`${what} was still running after ${ms} ms`)), ms);
    };
    allow(loadMs, `loading ${moduleUrl.pathname}`);
    createInterface({ input: child.stdout }).on('line', (line) => {
      const m = JSON.parse(line) as Message;
      if (m.started !== undefined) allow(cutOffMs, `${exportName}(${m.started})`);
      else if (m.name !== undefined) timings[m.name] = { ms: m.ms!, outcome: m.outcome! };
      else if (m.done) settle();
    });
    child.on('error', settle);
    child.on('close', (code, signal) => settle(new Error(`the child exited (${signal ?? code}) before timing every input`)));
    child.stdin.end(JSON.stringify({ moduleUrl: moduleUrl.href, exportName, inputs }));
  });
}
