// CPU time of this process and of every process under it (sandbox processes,
// load-generator processes), so a benchmark can report CPU µs per transaction
// next to tps. Children's time is read from /proc (Linux); elsewhere only this
// process is counted, and the figure says so.

import { readdirSync, readFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc reports CPU time in these ticks on every common platform. */
const PROC_TICKS_PER_SECOND = 100;
const MICROS_PER_TICK = 1_000_000 / PROC_TICKS_PER_SECOND;

export interface CpuReading {
  /** CPU time in µs, user and system. */
  readonly micros: number;
  /** Of that, this process's own. */
  readonly ownMicros: number;
  /** Whether processes under this one are counted. */
  readonly includesChildren: boolean;
}

interface ProcStat {
  readonly ppid: number;
  /** utime + stime, plus cutime + cstime (children already reaped), in ticks. */
  readonly ticks: number;
}

function procStat(pid: number | string): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const n = (i: number) => Number(fields[i - 3]);
    return { ppid: n(4), ticks: n(14) + n(15) + n(16) + n(17) };
  } catch {
    return undefined;
  }
}

/** CPU of the processes below `root`, from /proc; undefined where /proc is not there. */
function descendantsTicks(root: number): number | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  const children = new Map<number, number[]>();
  const ticks = new Map<number, number>();
  for (const pid of pids) {
    const stat = procStat(pid);
    if (!stat) continue;
    ticks.set(Number(pid), stat.ticks);
    const siblings = children.get(stat.ppid) ?? [];
    siblings.push(Number(pid));
    children.set(stat.ppid, siblings);
  }
  let total = 0;
  const stack = [...(children.get(root) ?? [])];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    total += ticks.get(pid) ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

export function readCpu(): CpuReading {
  const own = process.cpuUsage();
  const self = procStat(process.pid);
  const below = descendantsTicks(process.pid);
  // Reaped children count in this process's cutime/cstime: take them from /proc too.
  const reaped = self ? self.ticks - Math.round(((own.user + own.system) / MICROS_PER_TICK)) : 0;
  const ownMicros = own.user + own.system;
  if (below === undefined) return { micros: ownMicros, ownMicros, includesChildren: false };
  return { micros: ownMicros + (below + Math.max(0, reaped)) * MICROS_PER_TICK, ownMicros, includesChildren: true };
}

/** CPU µs spent between two readings, per unit of work (0 when no work was done). */
export function cpuMicrosPer(before: CpuReading, after: CpuReading, units: number): number {
  return units === 0 ? 0 : Math.round((after.micros - before.micros) / units);
}

/** Like cpuMicrosPer, for this process's own CPU alone. */
export function ownCpuMicrosPer(before: CpuReading, after: CpuReading, units: number): number {
  return units === 0 ? 0 : Math.round((after.ownMicros - before.ownMicros) / units);
}
