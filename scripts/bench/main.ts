/**
 * `npm run bench`: runs Callvault on SQLite, then on PostgreSQL when the
 * machine has it, measures it under load from this process, and writes
 * docs/BENCHMARKS.md. Every child process and the PostgreSQL cluster are
 * stopped at the end, whatever happens (an error, Ctrl-C, SIGTERM).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Cluster } from '../postgres-cluster.ts';
import {
  postgresAvailable,
  postgresEngine,
  sqliteEngine,
  type Engine,
} from './engines.ts';
import { killAllChildrenNow, REPO_ROOT, stopAllChildren } from './processes.ts';
import { renderReport } from './report.ts';
import { runEngine, type EngineReport, type Settings } from './run-engine.ts';

/**
 * Sizes and durations. A pass takes about two minutes; both engines stay
 * under six.
 */
const SETTINGS: Settings = {
  users: 100_000,
  /** A quarter of the users have two-factor on. */
  twoFactorEvery: 4,
  argon2Seconds: 5,
  signInSeconds: 10,
  /** Under the 20 sign-ins in flight one client address may have. */
  signInConnections: 12,
  twoFactorSeconds: 10,
  twoFactorConcurrency: 12,
  outboxAtRestCount: 20,
  requestSeconds: 5,
  /** autocannon's own default. */
  requestConnections: 10,
  aloneSeconds: 3,
  /** More than code verification can spend in requestSeconds. */
  pendingSignIns: 15_000,
  readSessions: 20,
  searchSamples: 60,
  searchMaxSeconds: 6,
  deepPages: 10,
};

const REPORT_FILE = path.join(REPO_ROOT, 'docs', 'BENCHMARKS.md');

const engines: Engine[] = [];
let cluster: Cluster | undefined;
let cleaning: Promise<void> | undefined;

/** Stops children and removes databases; safe to call more than once. */
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    await stopAllChildren();
    for (const engine of engines) {
      await engine.dispose().catch((error: unknown) => {
        process.stderr.write(`could not remove ${engine.name}: ${String(error)}\n`);
      });
    }
    // A cluster that started but never became an engine.
    if (cluster && !engines.some((engine) => engine.name === 'PostgreSQL')) {
      await cluster.stop().catch(() => undefined);
    }
  })();
  return cleaning;
}

/** Set by a signal: a cut-short run writes no report. */
let interrupted = false;

for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(name, () => {
    interrupted = true;
    process.stderr.write(`\n${name}: stopping every child and the cluster\n`);
    void cleanUp().finally(() => process.exit(130));
  });
}
// Nothing async can run in 'exit'; at least no server outlives us.
process.on('exit', killAllChildrenNow);

async function main(): Promise<void> {
  const startedAt = new Date();
  const loadAverage = os.loadavg();
  const reports: EngineReport[] = [];
  const skipped: string[] = [];

  // BENCH_ENGINES=sqlite (or postgresql) runs one pass only.
  const wanted = (process.env.BENCH_ENGINES ?? 'sqlite,postgresql').toLowerCase();
  /** A pass that fails is written down, and the other still runs. */
  const pass = async (name: string, prepare: () => Promise<Engine>) => {
    try {
      const engine = await prepare();
      engines.push(engine);
      reports.push(await runEngine(engine, SETTINGS));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      process.stderr.write(`[${name}] pass failed: ${reason}\n`);
      skipped.push(`${name}: the pass failed: ${reason.split('\n')[0]}`);
      process.exitCode = 1;
    }
  };

  try {
    if (wanted.includes('sqlite')) {
      await pass('SQLite', async () => sqliteEngine());
    }
    if (!wanted.includes('postgres')) {
      skipped.push('PostgreSQL: not asked for (BENCH_ENGINES)');
    } else if (!postgresAvailable()) {
      skipped.push('PostgreSQL: no initdb found on this machine');
    } else {
      await pass('PostgreSQL', () => {
        process.stderr.write('[PostgreSQL] starting a throwaway cluster\n');
        return postgresEngine((started) => {
          cluster = started;
        });
      });
    }
  } finally {
    await cleanUp();
  }

  if (interrupted) return;
  const seconds = (Date.now() - startedAt.getTime()) / 1000;
  const markdown = renderReport(
    { startedAt, seconds, settings: SETTINGS, skipped, loadAverage },
    reports,
  );
  fs.mkdirSync(path.dirname(REPORT_FILE), { recursive: true });
  fs.writeFileSync(REPORT_FILE, markdown);
  process.stderr.write(`\nWrote ${path.relative(REPO_ROOT, REPORT_FILE)} ` +
    `after ${(seconds / 60).toFixed(1)} minutes.\n`);
}

main().catch((error: unknown) => {
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`benchmark failed: ${text}\n`);
  process.exitCode = 1;
});
