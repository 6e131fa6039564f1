/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`) by self time: per function, and per
 * area (a package in node_modules, a Signet source file, Node internals, GC, idle). Used by
 * `npm run bench -- --profile` to show where a Signet worker spends its time under load.
 *
 * Also runnable on its own: node --import tsx bench/profile-summary.ts FILE.cpuprofile [TOP]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  /** Microseconds on the monotonic clock (the one process.hrtime reads, in every process). */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileRow {
  name: string;
  where: string;
  selfMs: number;
  percent: number;
  /** For top functions: which Signet code (nearest caller in src/ outside the function's own file) the time was spent for. */
  callers?: { caller: string; percent: number }[];
}

export interface ProfileSummary {
  totalMs: number;
  /** Share of the non-idle time. */
  busyMs: number;
  functions: ProfileRow[];
  areas: ProfileRow[];
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * `window` (monotonic microseconds, as process.hrtime.bigint() / 1000n) keeps only the samples
 * taken under measured load, leaving out start-up, set-up and the idle pre-signing phase.
 */
export function summarise(file: string, top = 25, window?: { fromUs: number; toUs: number }): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  // timeDeltas[i] is the time since the previous sample; attribute it to sample i (V8's convention in DevTools).
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (window && (t < window.fromUs || t > window.toUs)) continue;
    const id = profile.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + delta / 1000);
  }
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const fns = new Map<string, { name: string; where: string; ms: number; callers: Map<string, number> }>();
  const areas = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, ms] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    total += ms;
    if (functionName === '(idle)') idle += ms;
    const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : '';
    const name = functionName || '(anonymous)';
    const key = `${name}@${where}`;
    const row = fns.get(key) ?? { name, where, ms: 0, callers: new Map<string, number>() };
    row.ms += ms;
    const caller = signetCaller(id, url, byId, parent);
    row.callers.set(caller, (row.callers.get(caller) ?? 0) + ms);
    fns.set(key, row);
    const area = areaOf(url, functionName);
    areas.set(area, (areas.get(area) ?? 0) + ms);
  }
  const busy = total - idle;
  const rows = (entries: { name: string; where: string; ms: number; callers?: Map<string, number> }[]) =>
    entries
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top)
      .map((r, i) => ({
        name: r.name,
        where: r.where,
        selfMs: round(r.ms),
        percent: round((100 * r.ms) / busy),
        ...(r.callers &&
          i < 6 && {
            callers: [...r.callers]
              .sort((a, b) => b[1] - a[1])
              .slice(0, 4)
              .map(([caller, ms]) => ({ caller, percent: round((100 * ms) / busy) })),
          }),
      }));
  return {
    totalMs: round(total),
    busyMs: round(busy),
    functions: rows([...fns.values()].filter((r) => r.name !== '(idle)')),
    areas: rows([...areas].filter(([a]) => a !== '(idle)').map(([name, ms]) => ({ name, where: '', ms }))),
  };
}

/** The nearest frame up the stack in Signet's src/ and outside the sampled function's own file. */
function signetCaller(id: number, url: string, byId: Map<number, ProfileNode>, parent: Map<number, number>): string {
  for (let p = parent.get(id); p !== undefined; p = parent.get(p)) {
    const f = byId.get(p)!.callFrame;
    if (f.url && f.url !== url && shortUrl(f.url).startsWith('src/')) return `${f.functionName || '(anonymous)'} ${shortUrl(f.url)}`;
  }
  return '(no Signet frame)';
}

function shortUrl(url: string): string {
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  return path.startsWith(ROOT) ? path.slice(ROOT.length) : path;
}

/** What a reader acts on: which package or which of Signet's files, not which closure. */
function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return url;
  const path = shortUrl(url);
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (pkg) return pkg[1]!;
  if (path.startsWith('src/')) return path;
  return path;
}

const round = (n: number) => Math.round(n * 10) / 10;

export function formatSummary(s: ProfileSummary): string {
  const lines = [`CPU profile: ${s.busyMs} ms busy of ${s.totalMs} ms sampled (self time, % of busy)`, '', 'By area:'];
  for (const a of s.areas) lines.push(`  ${a.percent.toFixed(1).padStart(5)}%  ${a.selfMs.toFixed(0).padStart(7)} ms  ${a.name}`);
  lines.push('', 'Top functions:');
  for (const f of s.functions) {
    lines.push(`  ${f.percent.toFixed(1).padStart(5)}%  ${f.selfMs.toFixed(0).padStart(7)} ms  ${f.name}  ${f.where}`);
    for (const c of f.callers ?? []) lines.push(`  ${''.padStart(17)}${c.percent.toFixed(1).padStart(5)}% for ${c.caller}`);
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: profile-summary.ts FILE.cpuprofile [TOP]');
  console.log(formatSummary(summarise(file, Number(process.argv[3] ?? 25))));
}
