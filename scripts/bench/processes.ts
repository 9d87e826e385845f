/**
 * Child processes of the benchmark: Callvault itself, the bare Fastify
 * server and the argon2 probe. Every child is remembered by its PID, so
 * that whatever happens (an error, Ctrl-C) each one is stopped by PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, '../..');

/** How long a child gets to stop on SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 5_000;

const running = new Map<number, ChildProcess>();

export interface Child {
  pid: number;
  process: ChildProcess;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  /** What it wrote to stdout, kept for the probes that answer there. */
  stdout(): string;
}

/**
 * Starts a TypeScript entry point under `node --import tsx`. Not the tsx
 * CLI: that forks a second node, and the PID we sample for memory must be
 * the process that serves.
 */
export function startTypeScript(
  label: string,
  entry: string,
  env: Record<string, string>,
  args: string[] = [],
  /** Hears each line the child writes to stdout (its log, for a server). */
  onLine?: (line: string) => void,
): Child {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.resolve(REPO_ROOT, entry), ...args],
    {
      cwd: REPO_ROOT,
      // Only what the child needs, plus PATH; no .env of ours leaks in.
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  if (child.pid === undefined) throw new Error(`${label} did not start`);
  const pid = child.pid;
  running.set(pid, child);

  let out = '';
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    // A server's log is handed on, not hoarded: it may run long.
    if (!onLine) {
      out += text;
      return;
    }
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
  // Warnings and errors of the child go to our stderr, labelled; LOG_LEVEL
  // is warn, so this is quiet unless something is wrong.
  child.stderr?.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim()) process.stderr.write(`  [${label}] ${line}\n`);
    }
  });

  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      running.delete(pid);
      resolve(code);
    });
  });
  return { pid, process: child, exited, stdout: () => out };
}

/** Stops one child by PID: SIGTERM, then SIGKILL if it lingers. */
export async function stopChild(child: Child): Promise<void> {
  if (!running.has(child.pid)) return;
  signal(child.pid, 'SIGTERM');
  const timer = setTimeout(() => signal(child.pid, 'SIGKILL'), STOP_GRACE_MS);
  await child.exited;
  clearTimeout(timer);
}

/** Stops every child still running, each by its PID. */
export async function stopAllChildren(): Promise<void> {
  const pids = [...running.keys()];
  for (const pid of pids) signal(pid, 'SIGTERM');
  const deadline = Date.now() + STOP_GRACE_MS;
  while (running.size > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  for (const pid of running.keys()) signal(pid, 'SIGKILL');
}

/** Last resort on process exit: no waiting is possible there. */
export function killAllChildrenNow(): void {
  for (const pid of running.keys()) signal(pid, 'SIGKILL');
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

/** Waits until `url` answers 200, or throws after `ms`. */
export async function waitUntilReady(
  url: string,
  child: Child,
  ms = 60_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  let ended = false;
  void child.exited.then(() => {
    ended = true;
  });
  while (Date.now() < deadline) {
    if (ended) throw new Error(`process ${child.pid} ended before ${url} was ready`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} was not ready within ${ms} ms`);
}

export { freePort } from '../free-port.ts';
