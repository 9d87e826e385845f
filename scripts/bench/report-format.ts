/**
 * The words and numbers of docs/BENCHMARKS.md: units, verdicts, and the
 * evidence sentences (CPU shares, refusals, server errors) that the
 * tables quote where a target is missed.
 */
import { CORES, type PhaseUsage } from './monitor.ts';
import type { LoadResult } from './http.ts';
import type { EngineReport } from './run-engine.ts';
import { percentile } from './stats.ts';

/** The targets, as the product asks for them. */
export const TARGETS = {
  signInShareOfArgon2: 0.9,
  shareOfBareRoute: 0.25,
  p99Ms: 20,
  searchP95Ms: 20,
  outboxP95Ms: 300,
};

export const ms = (value: number) =>
  Number.isFinite(value) ? `${value.toFixed(1)} ms` : 'n/a';
export const rate = (value: number) => `${value.toFixed(1)}/s`;
export const pct = (value: number) => `${(value * 100).toFixed(0)} %`;
export const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
export const verdict = (met: boolean) => (met ? 'met' : '**MISSED**');

/** Cores busy with neither server nor load generator, over all phases. */
export function othersCores(e: EngineReport): number {
  let seconds = 0;
  let cores = 0;
  for (const usage of Object.values(e.usage)) {
    const rest = usage.machineBusy * CORES - usage.serverCores - usage.benchCores;
    cores += Math.max(0, rest) * usage.seconds;
    seconds += usage.seconds;
  }
  return seconds ? cores / seconds : 0;
}

export function cpu(usage: PhaseUsage | undefined): string {
  if (!usage) return '';
  // What neither we nor the server used: PostgreSQL's backends on that
  // pass, and whatever else runs on the machine.
  const rest = Math.max(
    0,
    usage.machineBusy * CORES - usage.serverCores - usage.benchCores,
  );
  return (
    `CPU: server ${usage.serverCores.toFixed(2)} cores, load generator ` +
    `${usage.benchCores.toFixed(2)}, everything else ${rest.toFixed(2)}; ` +
    `machine ${pct(usage.machineBusy)} busy (${CORES} cores).`
  );
}

export function refusals(result: LoadResult): string {
  if (result.failed === 0) return '';
  const codes = Object.entries(result.statuses)
    .filter(([code]) => !code.startsWith('2'))
    .map(([code, count]) => `${count} × ${code}`);
  const what = result.failed === 1 ? 'request' : 'requests';
  const why = codes.join(', ') || 'connection errors';
  return ` ${result.failed} ${what} failed (${why}).`;
}

/** The bound the ratios use: the mean of the two probes. */
export function bound(e: EngineReport): number {
  return (e.argon2[0].hashesPerSecond + e.argon2[1].hashesPerSecond) / 2;
}

/**
 * Over one connection each request waits only for itself, so the time per
 * request is the inverse of the rate (autocannon's own latencies are whole
 * milliseconds, too coarse for the bare route).
 */
export function alone(result: LoadResult): string {
  return `${rate(result.okPerSecond)} = ${ms(perRequest(result))} a request`;
}

export function perRequest(result: LoadResult): number {
  return result.okPerSecond > 0 ? 1000 / result.okPerSecond : Number.NaN;
}

/** "3.0×"; autocannon rounds to whole ms, so a 0 ms yardstick says n/a. */
export function times(value: number, yardstick: number): string {
  return yardstick > 0 ? `${(value / yardstick).toFixed(1)}×` : 'n/a ×';
}

/** "The server logged 3 errors in this phase", when it did. */
export function serverErrors(e: EngineReport, phase: string): string {
  const count = e.errorsByPhase[phase] ?? 0;
  return count
    ? ` The server logged ${count} error${count === 1 ? '' : 's'} in this phase ` +
      '(section 8).'
    : '';
}

export function median(values: number[]): number {
  return percentile(values, 50);
}
