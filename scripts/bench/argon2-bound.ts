/**
 * The argon2id bound: how many password hashes this machine computes per
 * second with Callvault's own parameters, as many at once as the server
 * would run (libuv's thread pool, where @node-rs/argon2 does its work).
 * Runs as its own process while Callvault is idle, and prints one JSON
 * line: { hashesPerSecond, parallel, hashes, seconds, cores }, where
 * `cores` is the CPU it got (1 = one core busy throughout).
 *
 *   node --import tsx scripts/bench/argon2-bound.ts <seconds>
 */
import { hashPassword } from '../../src/server/auth/password.ts';

/** libuv's default pool; the server runs with the same environment. */
const parallel = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
const seconds = Number(process.argv[2] ?? 5);
const PASSWORD = 'a benchmark password of ordinary length';

// The first hashes pay for loading the addon and touching fresh memory.
await Promise.all(Array.from({ length: parallel }, () => hashPassword(PASSWORD)));

let hashes = 0;
const cpuBefore = process.cpuUsage();
const startedAt = performance.now();
const deadline = startedAt + seconds * 1000;

async function lane(): Promise<void> {
  while (performance.now() < deadline) {
    await hashPassword(PASSWORD);
    hashes += 1;
  }
}
await Promise.all(Array.from({ length: parallel }, lane));

const elapsed = (performance.now() - startedAt) / 1000;
const cpu = process.cpuUsage(cpuBefore);
const cores = (cpu.user + cpu.system) / 1e6 / elapsed;
const answer = {
  hashesPerSecond: hashes / elapsed,
  parallel,
  hashes,
  seconds: elapsed,
  cores,
};
process.stdout.write(`${JSON.stringify(answer)}\n`);
