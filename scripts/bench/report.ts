/**
 * docs/BENCHMARKS.md from one run's figures: where and when it ran, then
 * one table per measurement with a row per engine: target, result, "met"
 * or "MISSED", and where missed, what the run's own figures say about why.
 */
import os from 'node:os';
import { ARGON2_OPTIONS } from '../../src/server/auth/password.ts';
import { mib, othersCores } from './report-format.ts';
import {
  argon2Table,
  logTable,
  memoryTable,
  outboxTable,
  requestTables,
  searchTable,
  signInTable,
  twoFactorTable,
} from './report-sections.ts';
import type { EngineReport, Settings } from './run-engine.ts';

export interface RunInfo {
  startedAt: Date;
  seconds: number;
  settings: Settings;
  /** Engines that were skipped, and why. */
  skipped: string[];
  loadAverage: number[];
}

export function renderReport(run: RunInfo, engines: EngineReport[]): string {
  const cpus = os.cpus();
  const lines: string[] = [
    '# Callvault benchmarks',
    '',
    'Written by `npm run bench` (scripts/bench/); every figure below was',
    'measured in that run. Do not edit by hand: run it again.',
    '',
    '| | |',
    '|---|---|',
    `| date (UTC) | ${run.startedAt.toISOString().replace('T', ' ').slice(0, 16)} |`,
    `| machine | ${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ` +
      `${mib(os.totalmem())} memory |`,
    `| load average at start | ${run.loadAverage.map((v) => v.toFixed(2)).join(', ')} ` +
      '(other work on the machine shares the cores) |',
    `| Node.js | ${process.version} |`,
    ...engines.map((e) => `| ${e.engine} | ${e.version} |`),
    `| argon2id | m = ${ARGON2_OPTIONS.memoryCost} KiB, ` +
      `t = ${ARGON2_OPTIONS.timeCost}, p = ${ARGON2_OPTIONS.parallelism} ` +
      '(imported from src/server/auth/password.ts) |',
    `| seeded users | ${run.settings.users.toLocaleString('en')}, every ` +
      `${run.settings.twoFactorEvery}th with two-factor; seeding took ` +
      engines.map((e) => `${e.seedSeconds.toFixed(1)} s on ${e.engine}`).join(', ') +
      ' |',
    `| whole run | ${(run.seconds / 60).toFixed(1)} minutes |`,
    ...engines.map(
      (e) =>
        `| other work during the ${e.engine} pass | ${othersCores(e).toFixed(2)} ` +
        'cores on average over the load phases, used by neither Callvault ' +
        'nor the benchmark' +
        (e.engine === 'PostgreSQL' ? ' (PostgreSQL itself included)' : '') +
        ' |',
    ),
    ...run.skipped.map((reason) => `| skipped | ${reason} |`),
    '',
    'Callvault runs as its own process (`node --import tsx src/server/main.ts`,',
    'LOG_LEVEL=warn, mail to an SMTP listener in the benchmark process); the',
    'load comes from the benchmark process (autocannon, or fetch loops for',
    'multi-step flows) on the same machine, so it shares the cores with the',
    'server. Each table gives, per engine, the CPU the phase used: the',
    "server's, the load generator's and the machine's as a whole.",
    '',
  ];

  lines.push(...argon2Table(engines), ...signInTable(engines));
  lines.push(...twoFactorTable(engines), ...requestTables(engines));
  lines.push(...searchTable(engines), ...outboxTable(engines));
  lines.push(...memoryTable(engines), ...logTable(engines));
  lines.push(...howTable(run.settings));
  return `${lines.join('\n')}\n`;
}

function howTable(settings: Settings): string[] {
  return [
    '## Settings of this run',
    '',
    'Constants at the top of scripts/bench/main.ts.',
    '',
    '| setting | value |',
    '|---|---|',
    ...Object.entries(settings).map(([name, value]) => `| ${name} | ${value} |`),
  ];
}
