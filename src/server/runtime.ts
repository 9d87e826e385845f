/**
 * Assembles a running Callvault: database → migrations → mail sender →
 * first administrator → HTTP. Used by main.ts and by the tests, which start
 * real instances on their own ports and files.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import type { DomainContext } from './auth/context.ts';
import { prepareAdministrator, type SetupState } from './auth/setup.ts';
import type { Config } from './config.ts';
import { migrate, openDatabase, type Db } from './db/database.ts';
import { isDatabaseUnavailable } from './db/errors.ts';
import { buildApp, loggerOptions } from './http/app.ts';
import { OutboxSender } from './mail/sender.ts';
import { mailboxTransport, smtpTransport } from './mail/transports.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
export const DEFAULT_WEB_ROOT = path.resolve(here, '../../dist/web');

export interface StartOptions {
  /** Replaces the wall clock (tests move time with it). */
  clock?: () => Date;
  /** Where log lines go; defaults to stdout. */
  logStream?: NodeJS.WritableStream;
  webRoot?: string;
  /** Bind the HTTP port (default true). */
  listen?: boolean;
}

export interface Callvault {
  app: FastifyInstance;
  ctx: DomainContext;
  db: Db;
  sender: OutboxSender;
  log: Logger;
  setup: SetupState;
  /** The address it listens on, e.g. http://127.0.0.1:3000. */
  url: string;
  close(): Promise<void>;
}

export async function startCallvault(
  config: Config,
  options: StartOptions = {},
): Promise<Callvault> {
  const clock = options.clock ?? (() => new Date());
  const logSettings = loggerOptions(config.logLevel);
  const log = options.logStream
    ? pino(logSettings, options.logStream as pino.DestinationStream)
    : pino(logSettings);

  const db = openDatabase(config, {
    onConnectionError: (error) =>
      log.warn({ event: 'database.connection_lost', reason: error.message }),
  });
  await migrateWhenReachable(db, log);

  const transport = config.smtpUrl
    ? smtpTransport(config.smtpUrl)
    : mailboxTransport(db, log, clock);
  const sender = new OutboxSender({
    db,
    transport,
    from: config.mailFrom,
    log,
    clock,
  });
  const ctx: DomainContext = { db, config, clock, mailQueued: () => sender.kick() };

  const setup = await prepareAdministrator(ctx);
  const app = await buildApp({
    ctx,
    logger: log,
    webRoot: options.webRoot ?? DEFAULT_WEB_ROOT,
    mailbox: transport.name === 'mailbox',
  });

  let url = '';
  if (options.listen !== false) {
    url = await app.listen({ port: config.port, host: config.host });
  } else {
    await app.ready();
  }
  sender.start();

  return {
    app,
    ctx,
    db,
    sender,
    log,
    setup,
    url,
    async close() {
      await app.close();
      await sender.stop();
      transport.close();
      await db.destroy();
    },
  };
}

/** How long start-up waits for a database that is not up yet. */
const DATABASE_WAIT_MS = 60_000;

/**
 * Instances and their database often start together (a reboot, a
 * deployment); rather than exit at once, start-up waits up to a minute for
 * the database to answer, saying so in the log.
 */
async function migrateWhenReachable(db: Db, log: Logger): Promise<void> {
  const giveUpAt = Date.now() + DATABASE_WAIT_MS;
  for (;;) {
    try {
      return await migrate(db);
    } catch (error) {
      if (!isDatabaseUnavailable(error) || Date.now() > giveUpAt) throw error;
      log.warn({ event: 'database.waiting', reason: (error as Error).message });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}
