/**
 * The two database engines the benchmark runs Callvault on: a fresh SQLite
 * file in a temporary folder, and a fresh database in a throwaway
 * PostgreSQL cluster (durable settings: fsync on, as in production).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { loadConfig } from '../../src/server/config.ts';
import { openDatabase, type Db } from '../../src/server/db/database.ts';
import {
  postgresBinaries,
  startThrowawayPostgres,
  type Cluster,
} from '../postgres-cluster.ts';

export type EngineName = 'SQLite' | 'PostgreSQL';

export interface Engine {
  name: EngineName;
  databaseUrl: string;
  /** Removes what was made for this engine (files, cluster). */
  dispose(): Promise<void>;
}

/** Opens the engine's database the way Callvault does, from its URL. */
export function openBenchDatabase(databaseUrl: string): Db {
  return openDatabase(loadConfig({ DATABASE_URL: databaseUrl }));
}

/** A new SQLite file under the system's temporary folder. */
export function sqliteEngine(): Engine {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'callvault-bench-'));
  return {
    name: 'SQLite',
    databaseUrl: `sqlite:${path.join(folder, 'callvault.db')}`,
    async dispose() {
      fs.rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** Whether this machine has PostgreSQL binaries to run a cluster with. */
export function postgresAvailable(): boolean {
  return postgresBinaries() !== undefined;
}

/**
 * A throwaway cluster and a database in it. `onCluster` hears of the
 * cluster as soon as it runs, so a signal arriving before this returns
 * can still stop it.
 */
export async function postgresEngine(
  onCluster: (cluster: Cluster) => void,
): Promise<Engine> {
  const cluster = await startThrowawayPostgres({ fast: false });
  onCluster(cluster);

  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  try {
    await admin.query('create database callvault_bench');
  } finally {
    await admin.end();
  }
  const url = new URL(cluster.url);
  url.pathname = '/callvault_bench';
  return {
    name: 'PostgreSQL',
    databaseUrl: url.href,
    dispose: () => cluster.stop(),
  };
}

/** The engine's own version string, asked of the engine itself. */
export async function engineVersion(db: Db, name: EngineName): Promise<string> {
  if (name === 'SQLite') {
    const { rows } = await sql<{ version: string }>`
      select sqlite_version() as version`.execute(db);
    return `SQLite ${rows[0]?.version ?? '?'}`;
  }
  const { rows } = await sql<{ server_version: string }>`
    show server_version`.execute(db);
  return `PostgreSQL ${rows[0]?.server_version ?? '?'}`;
}
