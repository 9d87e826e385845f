/**
 * Starts Callvault from the environment (and .env when present), prints how
 * to reach it, and stops cleanly on SIGINT / SIGTERM.
 */
import 'dotenv/config';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { isDatabaseUnavailable } from './db/errors.ts';
import { startCallvault } from './runtime.ts';

/** Longest a clean shutdown may take before the process just ends. */
const SHUTDOWN_MS = 10_000;

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }

  const callvault = await startCallvault(config);
  const portal = config.publicUrl.origin;
  const lines = [`Callvault is running at ${portal}`];

  if (callvault.setup.kind === 'link') {
    // Printed, not logged: the person who started Callvault needs this
    // link once, and log collectors must never see it.
    lines.push(
      '',
      'No administrator exists yet. Open this one-time link to create one',
      `(valid until ${callvault.setup.expiresAt.toUTCString()}):`,
      `  ${callvault.setup.url}`,
    );
  } else if (callvault.setup.kind === 'created') {
    lines.push(`Administrator ${callvault.setup.email} was created from ADMIN_EMAIL.`);
  }
  if (!config.smtpUrl) {
    lines.push('', `No SMTP_URL set: mail goes to the local mailbox at ${portal}/mailbox`);
  }
  process.stdout.write(`\n${lines.join('\n')}\n\n`);

  // Requests in flight and queued mail get a few seconds to finish; a
  // shutdown that hangs (a request stuck on a vanished database, say) must
  // not keep the process, nor its port, alive. A second signal stops it at
  // once.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    callvault.log.info({ event: 'shutdown', signal });
    setTimeout(() => {
      callvault.log.error({ event: 'shutdown.timed_out', afterMs: SHUTDOWN_MS });
      process.exit(1);
    }, SHUTDOWN_MS).unref();
    await callvault.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

/** Start-up failures in words that name the setting to change. */
function explain(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const env = process.env;
  if (code === 'EADDRINUSE') {
    return `port ${env.PORT ?? 3000} is already in use; set PORT to a free port`;
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return `HOST ${env.HOST ?? '127.0.0.1'} is not an address of this machine`;
  }
  if (code === 'EACCES') {
    return `not allowed to listen on port ${env.PORT ?? 3000}; choose PORT above 1023`;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (isDatabaseUnavailable(error)) {
    return `the database in DATABASE_URL did not answer for a minute (${message})`;
  }
  // PostgreSQL's refusals: wrong password, unknown database or user.
  if (code === '28P01' || code === '28000' || code === '3D000') {
    return `the database in DATABASE_URL refused Callvault: ${message}`;
  }
  return message;
}

main().catch((error: unknown) => {
  process.stderr.write(`Callvault could not start: ${explain(error)}\n`);
  process.exit(1);
});
