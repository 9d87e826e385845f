/**
 * Starts a real Callvault for a test: its own database (a SQLite file under
 * /tmp or a PostgreSQL database: see database.ts), its own port on
 * 127.0.0.1, a real SMTP listener, a clock the test can move, and captured
 * log lines to search for secrets.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/server/config.ts';
import { startCallvault, type Callvault } from '../../src/server/runtime.ts';
import { freePort } from '../../scripts/free-port.ts';
import { Client } from './client.ts';

export { freePort };
import { databaseUrl, dropDatabase } from './database.ts';
import { codeIn, linkIn, TestSmtp } from './smtp.ts';

export const ADMIN = {
  email: 'admin@callvault.test',
  password: 'correct horse battery staple',
};


export interface TestInstance {
  callvault: Callvault;
  smtp: TestSmtp;
  url: string;
  dir: string;
  /** Every log line written so far. */
  logs: string[];
  /** Moves the instance's clock forward. */
  advance(ms: number): void;
  client(headers?: Record<string, string>): Client;
  /** A client signed in as the first administrator. */
  admin(): Promise<Client>;
  /**
   * Adds a user through the API, follows the invitation and the code (when
   * two-factor is on), sets the password, and returns a signed-in client.
   */
  addActiveUser(options: NewUserOptions): Promise<{ client: Client; id: string }>;
  /**
   * Stops the instance and its SMTP listener. The files and the database
   * go too, unless `keepFiles` is set so that a new instance can start on
   * them.
   */
  stop(options?: { keepFiles?: boolean }): Promise<void>;
}

export interface InstanceOptions {
  /**
   * Start on the files (and database) of an earlier instance (its `dir`),
   * as a restarted process would, instead of a fresh directory.
   */
  dir?: string;
}

export interface NewUserOptions {
  email: string;
  password?: string;
  roles?: string[];
  twoFactor?: boolean;
  firstName?: string;
  lastName?: string;
}

export async function startInstance(
  env: Record<string, string> = {},
  options: InstanceOptions = {},
): Promise<TestInstance> {
  const dir =
    options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'callvault-test-'));
  const smtp = new TestSmtp();
  const smtpUrl = await smtp.start();
  const port = await freePort();

  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });

  let offset = 0;
  const config = loadConfig({
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: await databaseUrl(dir),
    SMTP_URL: smtpUrl,
    MAIL_FROM: 'Callvault <no-reply@callvault.test>',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: 'info',
    ...env,
  });
  const callvault = await startCallvault(config, {
    clock: () => new Date(Date.now() + offset),
    logStream,
  });
  const url = `http://127.0.0.1:${port}`;
  const origin = config.publicUrl.origin;
  let adminDevice: string | undefined;

  const instance: TestInstance = {
    callvault,
    smtp,
    url,
    dir,
    logs,
    advance(ms) {
      offset += ms;
    },
    client: (headers) => new Client(url, headers, origin),
    async admin() {
      // Like a real administrator, from the browser they always use: its
      // device cookie keeps others' failures on the address from
      // throttling them (auth/devices.ts).
      const client = new Client(url, {}, origin);
      if (adminDevice) {
        await client.jar.setCookie(`callvault_device=${adminDevice}`, url);
      }
      const answer = await client.post('/api/sign-in', ADMIN);
      if (answer.status !== 200) throw new Error(`admin sign-in: ${answer.status}`);
      adminDevice = await client.cookie('callvault_device');
      return client;
    },
    async addActiveUser(options) {
      const admin = await instance.admin();
      const before = smtp.to(options.email).length;
      const created = await admin.post('/api/users', {
        email: options.email,
        firstName: options.firstName ?? 'Test',
        lastName: options.lastName ?? 'User',
        roles: options.roles ?? ['user'],
        twoFactor: options.twoFactor ?? false,
      });
      if (created.status !== 201) {
        throw new Error(`create user: ${created.status} ${JSON.stringify(created.body)}`);
      }

      const invitation = await smtp.waitFor(options.email, before + 1);
      const token = new URL(linkIn(invitation)).hash.slice(1);
      const client = new Client(url, {}, origin);
      let step = await client.post('/api/invitations/accept', { token });
      if (step.body.step === 'code') {
        const mail = await smtp.waitFor(options.email, before + 2);
        step = await client.post('/api/sign-in/code', { code: codeIn(mail) });
      }
      const password = options.password ?? 'a long and personal passphrase';
      const done = await client.post('/api/password/personalise', {
        newPassword: password,
        confirmPassword: password,
      });
      if (done.status !== 200) {
        throw new Error(`personalise: ${done.status} ${JSON.stringify(done.body)}`);
      }
      return { client, id: created.body.id };
    },
    async stop(stopOptions = {}) {
      await callvault.close();
      await smtp.stop();
      if (stopOptions.keepFiles) return;
      await dropDatabase(dir);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return instance;
}
