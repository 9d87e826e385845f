/**
 * Measurement 1, the argon2id bound: runs argon2-bound.ts as its own
 * process (while Callvault is idle) and reads its answer.
 */
import { startTypeScript } from './processes.ts';

export interface Argon2Bound {
  hashesPerSecond: number;
  parallel: number;
  hashes: number;
  seconds: number;
  /** CPU the probe got, in cores. */
  cores: number;
}

export async function measureArgon2Bound(seconds: number): Promise<Argon2Bound> {
  const env: Record<string, string> = {};
  // The same pool size the server gets: whatever our environment says.
  if (process.env.UV_THREADPOOL_SIZE) {
    env.UV_THREADPOOL_SIZE = process.env.UV_THREADPOOL_SIZE;
  }
  const child = startTypeScript('argon2', 'scripts/bench/argon2-bound.ts', env, [
    String(seconds),
  ]);
  const code = await child.exited;
  if (code !== 0) throw new Error(`argon2 probe ended with code ${code}`);
  return JSON.parse(child.stdout().trim()) as Argon2Bound;
}
