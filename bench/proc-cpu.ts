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
  const pids = new Set([rootPid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, s] of stats) {
      if (!pids.has(pid) && pids.has(s.ppid)) {
        pids.add(pid);
        grew = true;
      }
    }
  }
  let ticks = 0;
  for (const pid of pids) ticks += stats.get(pid)?.ticks ?? 0;
  return (ticks * 1000) / ticksPerSecond;
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
