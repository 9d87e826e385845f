/**
 * A throwaway PostgreSQL cluster from the machine's own binaries, for the
 * tests, the benchmark and CI: initdb into a folder under /tmp, start on
 * 127.0.0.1 and a free port, stop and delete when done.
 *
 * PostgreSQL refuses to run as root, so when we are root every command runs
 * as the `postgres` user through runuser, in a folder that user owns.
 *
 *   tsx scripts/postgres-cluster.ts start <folder>   prints the cluster's URL
 *   tsx scripts/postgres-cluster.ts stop <folder>
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.ts';

const run = promisify(execFile);

/** PG_BIN, then the usual places; Debian keeps each version apart. */
const BIN_FOLDERS = [
  process.env.PG_BIN,
  '/usr/local/bin',
  ...debianVersions().map((version) => `/usr/lib/postgresql/${version}/bin`),
].filter((folder): folder is string => Boolean(folder));

/** Installed Debian PostgreSQL versions, newest first. */
function debianVersions(): string[] {
  try {
    return fs
      .readdirSync('/usr/lib/postgresql')
      .filter((name) => /^\d+$/.test(name))
      .sort((a, b) => Number(b) - Number(a));
  } catch {
    return [];
  }
}

export interface Cluster {
  /** postgres://postgres@127.0.0.1:<port>/postgres, a superuser. */
  url: string;
  port: number;
  folder: string;
  stop(): Promise<void>;
  /** Stops the server but keeps its files, so that start() brings it back. */
  pause(): Promise<void>;
  start(): Promise<void>;
}

export interface ClusterOptions {
  /** Defaults to a new folder under the system's temporary folder. */
  folder?: string;
  /**
   * Trade durability for speed (fsync off): right for tests, wrong for a
   * benchmark that should show what a real server does.
   */
  fast?: boolean;
}

/** Where initdb lives, or undefined when PostgreSQL is not installed. */
export function postgresBinaries(): string | undefined {
  return BIN_FOLDERS.find((folder) =>
    fs.existsSync(path.join(folder, 'initdb')),
  );
}

export async function startThrowawayPostgres(
  options: ClusterOptions = {},
): Promise<Cluster> {
  const bin = postgresBinaries();
  if (!bin) {
    throw new Error(
      'PostgreSQL is not installed: no initdb in ' + BIN_FOLDERS.join(', '),
    );
  }
  const folder =
    options.folder ??
    fs.mkdtempSync(path.join(os.tmpdir(), 'callvault-postgres-'));
  fs.mkdirSync(folder, { recursive: true });
  const data = path.join(folder, 'data');
  const asRoot = process.getuid?.() === 0;

  // The postgres user must own the folder, and reach it through /tmp.
  if (asRoot) {
    fs.chmodSync(folder, 0o755);
    await run('chown', ['postgres:', folder]);
  }
  const pg = (command: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', path.join(bin, command), ...args])
      : run(path.join(bin, command), args);

  await pg('initdb', [
    '-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8',
    '--no-locale', '--no-sync',
  ]);

  const port = await freePort();
  const settings = [
    `-h 127.0.0.1 -p ${port} -k ${folder}`,
    '-c max_connections=300',
    options.fast ? '-c fsync=off -c synchronous_commit=off' : '',
    options.fast ? '-c full_page_writes=off' : '',
  ].join(' ');

  const start = async () => {
    await pg('pg_ctl', [
      '-D', data, '-l', path.join(folder, 'server.log'), '-w', '-t', '60',
      '-o', settings, 'start',
    ]);
  };
  const pause = async () => {
    await pg('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
  };
  await start();

  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    folder,
    start,
    pause,
    async stop() {
      await stopCluster(folder);
    },
  };
}

/** Stops the cluster in `folder` (if running) and deletes the folder. */
export async function stopCluster(folder: string): Promise<void> {
  const bin = postgresBinaries();
  const data = path.join(folder, 'data');
  if (bin && fs.existsSync(path.join(data, 'postmaster.pid'))) {
    const args = ['-D', data, '-m', 'immediate', '-w', 'stop'];
    await (process.getuid?.() === 0
      ? run('runuser', ['-u', 'postgres', '--', path.join(bin, 'pg_ctl'), ...args])
      : run(path.join(bin, 'pg_ctl'), args)
    ).catch(() => undefined);
  }
  fs.rmSync(folder, { recursive: true, force: true });
}


const [command, folder] = process.argv.slice(2);
if (import.meta.url === `file://${process.argv[1]}` && command) {
  if (command === 'start' && folder) {
    const cluster = await startThrowawayPostgres({ folder, fast: true });
    process.stdout.write(`${cluster.url}\n`);
  } else if (command === 'stop' && folder) {
    await stopCluster(folder);
  } else {
    process.stderr.write('usage: postgres-cluster.ts start|stop <folder>\n');
    process.exitCode = 2;
  }
}
