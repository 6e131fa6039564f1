/**
 * CPU time (user + system) of a server's whole process tree, read from Linux /proc: the
 * primary and its cluster workers. Sampled at the start and end of the measured window, it
 * gives CPU milliseconds per token — the server's efficiency, independent of how the two
 * cores happened to be shared with the load generator. Returns null where /proc is absent.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

let ticksPerSecond: number | undefined;

export function treeCpuMs(rootPid: number): number | null {
  if (!existsSync('/proc/self/stat')) return null;
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  let ticks = 0;
  for (const s of processTree(rootPid).values()) ticks += s.ticks;
  return (ticks * 1000) / ticksPerSecond;
}

/**
 * CPU time of every process whose command name (as in /proc/PID/stat) is one of `names`: the
 * PostgreSQL and Redis servers a configuration runs on. Null without /proc.
 */
export function commandCpuMs(names: readonly string[]): number | null {
  if (!existsSync('/proc/self/stat')) return null;
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const raw = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = raw.slice(raw.indexOf('(') + 1, raw.lastIndexOf(')'));
      if (!names.includes(name)) continue;
      const f = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // The process exited between readdir and read.
    }
  }
  return (ticks * 1000) / ticksPerSecond;
}

/**
 * Peak resident memory of a server's process tree, in MB: the sum of each process's VmHWM
 * (its own high-water mark, from /proc/PID/status). The peaks need not have coincided, so
 * this is an upper bound of the tree's peak; read it before the server stops. Null without /proc.
 */
export function treePeakRssMb(rootPid: number): number | null {
  if (!existsSync('/proc/self/status')) return null;
  let kb = 0;
  for (const pid of processTree(rootPid).keys()) {
    try {
      const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      kb += Number(m?.[1] ?? 0);
    } catch {
      // The process exited between the listing and the read.
    }
  }
  return kb / 1024;
}

/** rootPid and its descendants, with their CPU ticks (user + system). */
function processTree(rootPid: number): Map<number, { ppid: number; ticks: number }> {
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const raw = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the parenthesised command name (which may itself contain spaces).
      const f = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(entry), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      // The process exited between readdir and read.
    }
  }
  const tree = new Map<number, { ppid: number; ticks: number }>();
  const root = stats.get(rootPid);
  if (root) tree.set(rootPid, root);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, s] of stats) {
      if (!tree.has(pid) && tree.has(s.ppid)) {
        tree.set(pid, s);
        grew = true;
      }
    }
  }
  return tree;
}

/**
 * CPU time spent by the whole machine (every core, every process), from /proc/stat. The
 * benchmark subtracts the server and the load generator to see what *else* ran during the
 * window: on a shared machine that is the noise in the numbers, and it is reported.
 */
export function machineBusyMs(): number | null {
  if (!existsSync('/proc/stat')) return null;
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  // cpu user nice system idle iowait irq softirq steal ...
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return (((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) * 1000) / ticksPerSecond;
}
