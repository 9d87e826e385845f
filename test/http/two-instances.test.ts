/**
 * Two Callvault processes on different ports share one PostgreSQL, as
 * they would behind a load balancer. Whatever one of them does, the other
 * sees at once: sessions, sign-outs, an administrator's changes, throttle
 * counts and security codes. Their outbox senders share the work without
 * sending any message twice or leaving one behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../support/client.ts';
import { databaseUrl, dropDatabase, engine } from '../support/database.ts';
import { ADMIN, freePort } from '../support/instance.ts';
import { codeIn, linkIn, TestSmtp } from '../support/smtp.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

interface Process {
  child: ChildProcess;
  url: string;
  output: string[];
}

let dir: string;
let database: pg.Client;
let smtp: TestSmtp;
let a: Process;
let b: Process;
/** The load balancer's address: links and the origin check use it. */
let publicUrl: string;

/** Starts `src/server/main.ts` as its own process, as an operator would. */
async function startProcess(port: number, env: Record<string, string>) {
  const child = spawn(
    process.execPath,
    // tsx named by its path: the working folder is the instance's own,
    // where no node_modules (and no developer's .env) is found.
    ['--import', import.meta.resolve('tsx'), path.join(ROOT, 'src/server/main.ts')],
    {
      cwd: dir,
      env: { PATH: process.env.PATH, ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output: string[] = [];
  child.stdout?.on('data', (chunk) => output.push(String(chunk)));
  child.stderr?.on('data', (chunk) => output.push(String(chunk)));
  return { child, url: `http://127.0.0.1:${port}`, output };
}

async function ready(instance: Process): Promise<void> {
  const giveUpAt = Date.now() + 45_000;
  while (Date.now() < giveUpAt) {
    if (instance.child.exitCode !== null) break;
    const answer = await fetch(`${instance.url}/readyz`).catch(() => null);
    if (answer?.ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`instance did not start:\n${instance.output.join('')}`);
}

async function stopProcess(instance: Process | undefined): Promise<void> {
  if (!instance || instance.child.exitCode !== null) return;
  const exited = new Promise((resolve) => instance.child.once('exit', resolve));
  instance.child.kill('SIGTERM');
  // A process stuck in its shutdown must not outlive the test run.
  const stuck = setTimeout(() => instance.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(stuck);
}

/** A browser: one cookie jar, whichever instance a request reaches. */
function browser(): Client {
  return new Client(publicUrl, {}, publicUrl);
}

async function signIn(client: Client, via: Process, email: string, password: string) {
  return client.post(`${via.url}/api/sign-in`, { email, password });
}

/**
 * An invited user made by the administrator on `a`, who accepts the
 * invitation on `b` and chooses a password on `a`.
 */
async function activeUser(email: string, twoFactor: boolean): Promise<string> {
  const admin = browser();
  await signIn(admin, a, ADMIN.email, ADMIN.password);
  const created = await admin.post(`${a.url}/api/users`, {
    email,
    firstName: 'Shared',
    lastName: 'User',
    roles: ['user'],
    twoFactor,
  });
  expect(created.status).toBe(201);

  const token = new URL(linkIn(await smtp.waitFor(email))).hash.slice(1);
  const user = browser();
  const step = await user.post(`${b.url}/api/invitations/accept`, { token });
  if (step.body.step === 'code') {
    const code = codeIn(await smtp.waitFor(email, 2));
    expect((await user.post(`${a.url}/api/sign-in/code`, { code })).status).toBe(200);
  }
  const done = await user.post(`${a.url}/api/password/personalise`, {
    newPassword: PASSWORD,
    confirmPassword: PASSWORD,
  });
  expect(done.status).toBe(200);
  return created.body.id;
}

const PASSWORD = 'a long and personal passphrase';

describe.runIf(engine === 'postgres')('two instances on one PostgreSQL', () => {
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callvault-two-'));
    const url = await databaseUrl(dir);
    database = new pg.Client({ connectionString: url });
    await database.connect();
    smtp = new TestSmtp();
    const smtpUrl = await smtp.start();

    const [portA, portB] = [await freePort(), await freePort()];
    publicUrl = `http://127.0.0.1:${portA}`;
    const env = {
      HOST: '127.0.0.1',
      PUBLIC_URL: publicUrl,
      DATABASE_URL: url,
      DATABASE_POOL_SIZE: '5',
      SMTP_URL: smtpUrl,
      MAIL_FROM: 'Callvault <no-reply@callvault.test>',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      LOG_LEVEL: 'warn',
    };
    // Started together, as after a deployment: both migrate and both try
    // to create the first administrator; one of each must win cleanly.
    a = await startProcess(portA, env);
    b = await startProcess(portB, env);
    await Promise.all([ready(a), ready(b)]);
  });

  // A failure here is often explained only by the processes' own logs.
  afterEach(({ task }) => {
    if (task.result?.state !== 'fail') return;
    for (const instance of [a, b]) {
      process.stderr.write(`--- ${instance.url}\n${instance.output.join('')}\n`);
    }
  });

  afterAll(async () => {
    await Promise.all([stopProcess(a), stopProcess(b)]);
    await database?.end();
    await smtp?.stop();
    if (dir) {
      await dropDatabase(dir);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('started together, they made one schema and one administrator', async () => {
    const admins = await database.query(
      'select email from users where role_administrator = 1',
    );
    expect(admins.rows).toEqual([{ email: ADMIN.email }]);
  });

  it('a session started on one is valid on the other', async () => {
    const admin = browser();
    expect((await signIn(admin, a, ADMIN.email, ADMIN.password)).status).toBe(200);

    const me = await admin.get(`${b.url}/api/me`);

    expect(me.status).toBe(200);
    expect(me.body.email).toBe(ADMIN.email);
  });

  it('signing out on one ends the session on the other at once', async () => {
    const admin = browser();
    await signIn(admin, b, ADMIN.email, ADMIN.password);
    expect((await admin.get(`${a.url}/api/me`)).status).toBe(200);

    expect((await admin.post(`${b.url}/api/sign-out`, {})).status).toBe(204);

    expect((await admin.get(`${a.url}/api/me`)).status).toBe(401);
  });

  it("an administrator's change on one takes effect on the other at once", async () => {
    const id = await activeUser('changed@callvault.test', false);
    const user = browser();
    await signIn(user, a, 'changed@callvault.test', PASSWORD);
    expect((await user.get(`${b.url}/api/me`)).status).toBe(200);

    const admin = browser();
    await signIn(admin, b, ADMIN.email, ADMIN.password);
    const disabled = await admin.patch(`${b.url}/api/users/${id}`, {
      status: 'disabled',
    });
    expect(disabled.status).toBe(200);

    expect((await user.get(`${a.url}/api/me`)).status).toBe(401);
    const again = await signIn(browser(), a, 'changed@callvault.test', PASSWORD);
    expect(again.status).toBe(401);
  });

  it('throttling counts failures made on either instance', async () => {
    // Five free tries for one address, and a sixth failure starts the
    // delay. Spread over both instances: were the counts kept apart, each
    // would have seen only three and let the seventh try through.
    const target = 'nobody.here@callvault.test';
    for (const via of [a, b, a, b, a, b]) {
      const answer = await signIn(browser(), via, target, 'not the password!');
      expect(answer.status).toBe(401);
    }

    const seventh = await signIn(browser(), a, target, 'not the password!');

    expect(seventh.status).toBe(429);
    expect(Number(seventh.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('a security code issued by one is accepted by the other, exactly once', async () => {
    const email = 'coded@callvault.test';
    await activeUser(email, true);
    const before = smtp.to(email).length;
    const user = browser();
    const step = await signIn(user, a, email, PASSWORD);
    expect(step.body.step).toBe('code');
    const code = codeIn(await smtp.waitFor(email, before + 1));

    // The same pending sign-in and code, sent to both at the same moment.
    const answers = await Promise.all([
      user.post(`${b.url}/api/sign-in/code`, { code }),
      user.post(`${a.url}/api/sign-in/code`, { code }),
    ]);

    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 401]);
    const replay = await user.post(`${b.url}/api/sign-in/code`, { code });
    expect(replay.status).not.toBe(200);
    const sessions = await database.query(
      'select count(*)::int as n from sessions s join users u on u.id = s.user_id ' +
        'where u.email = $1',
      [email],
    );
    // One from personalising the password, one from this sign-in.
    expect(sessions.rows[0].n).toBe(2);
  });

  it('their senders deliver every queued message exactly once', async () => {
    const admin = browser();
    await signIn(admin, a, ADMIN.email, ADMIN.password);
    const emails = Array.from({ length: 16 }, (_, i) => `bulk${i}@callvault.test`);

    // Half added through each instance, all at once: both senders are
    // woken and race for the same rows.
    await Promise.all(
      emails.map((email, i) =>
        admin.post(`${(i % 2 ? a : b).url}/api/users`, {
          email,
          firstName: 'Bulk',
          lastName: `User ${i}`,
          roles: ['user'],
          twoFactor: false,
        }),
      ),
    );
    await Promise.all(emails.map((email) => smtp.waitFor(email)));
    // Time for a duplicate, were there one, to arrive.
    await new Promise((resolve) => setTimeout(resolve, 2_500));

    for (const email of emails) expect(smtp.to(email)).toHaveLength(1);
    const rows = await database.query(
      "select attempts, sent_at from outbox where kind = 'invitation' " +
        "and to_address like 'bulk%'",
    );
    expect(rows.rows).toHaveLength(emails.length);
    for (const row of rows.rows) {
      expect(row.attempts).toBe(1);
      expect(row.sent_at).not.toBeNull();
    }
  });

  it("a dead sender's claim runs out and the other instances send the message", async () => {
    // As a sender that claimed the message and then died would leave it:
    // leased for two more seconds, one attempt spent, never sent.
    const leaseUntil = new Date(Date.now() + 2_000).toISOString();
    const now = new Date().toISOString();
    await database.query(
      'insert into outbox (id, kind, user_id, to_address, subject, text_body, ' +
        'html_body, created_at, attempts, next_attempt_at, lease_until) ' +
        "values ('orphan', 'invitation', null, 'orphan@callvault.test', " +
        "'Left behind', 'text', '<p>html</p>', $1, 1, $1, $2)",
      [now, leaseUntil],
    );

    const mail = await smtp.waitFor('orphan@callvault.test', 1, 15_000);
    expect(mail.subject).toBe('Left behind');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(smtp.to('orphan@callvault.test')).toHaveLength(1);
    const row = await database.query(
      "select attempts, sent_at from outbox where id = 'orphan'",
    );
    expect(row.rows[0].attempts).toBe(2);
    expect(row.rows[0].sent_at).not.toBeNull();
  });
});
