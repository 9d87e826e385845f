/**
 * What the machine did during a phase: the server's resident memory
 * (sampled from /proc), and how much CPU the server, this load generator
 * and the machine as a whole used. The CPU shares are the evidence behind
 * a missed target: on two cores the load generator competes with the
 * server it measures.
 */
import fs from 'node:fs';
import os from 'node:os';

const SAMPLE_MS = 100;
/** Linux reports process CPU time in clock ticks of 1/100 s. */
const TICKS_PER_SECOND = 100;

/** Resident memory of a process in bytes, from /proc/<pid>/status. */
export function residentBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}

/** Seconds of CPU a process has used so far (user + system). */
function processCpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may hold spaces; fields are counted after its ")".
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const user = Number(fields[11]);
  const system = Number(fields[12]);
  return (user + system) / TICKS_PER_SECOND;
}

/** Busy and total jiffies of the whole machine, from /proc/stat. */
function machineTicks(): { busy: number; total: number } {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const total = values.reduce((sum, value) => sum + value, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, total };
}

export interface PhaseUsage {
  /** Largest resident memory sampled, bytes. */
  peakRss: number;
  /** CPU as a share of one core (1 = one core fully busy). */
  serverCores: number;
  benchCores: number;
  /** Share of all cores busy, 0..1, whoever used them. */
  machineBusy: number;
  seconds: number;
}

/**
 * Watches the server process while `work` runs and reports what the phase
 * used. Memory is sampled every 100 ms; CPU is the difference of counters.
 */
export async function watchPhase<T>(
  serverPid: number,
  work: () => Promise<T>,
): Promise<{ result: T; usage: PhaseUsage }> {
  let peakRss = residentBytes(serverPid);
  const timer = setInterval(() => {
    try {
      peakRss = Math.max(peakRss, residentBytes(serverPid));
    } catch {
      // The process ended; the phase will fail on its own.
    }
  }, SAMPLE_MS);

  const startedAt = performance.now();
  const serverBefore = processCpuSeconds(serverPid);
  const benchBefore = process.cpuUsage();
  const machineBefore = machineTicks();
  try {
    const result = await work();
    const seconds = (performance.now() - startedAt) / 1000;
    const bench = process.cpuUsage(benchBefore);
    const machineAfter = machineTicks();
    const usage: PhaseUsage = {
      peakRss,
      serverCores: (processCpuSeconds(serverPid) - serverBefore) / seconds,
      benchCores: (bench.user + bench.system) / 1e6 / seconds,
      machineBusy:
        (machineAfter.busy - machineBefore.busy) /
        Math.max(1, machineAfter.total - machineBefore.total),
      seconds,
    };
    return { result, usage };
  } finally {
    clearInterval(timer);
  }
}

/** Number of cores, for turning "cores used" into a share. */
export const CORES = os.cpus().length;
