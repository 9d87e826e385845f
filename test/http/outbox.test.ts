/**
 * Email delivery through the outbox: an SMTP outage delays mail but never
 * fails the administrator's Save and never loses it; a code too old to be
 * useful is dropped, not sent late; and a process stopped or killed
 * mid-flight leaves nothing committed behind.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEND_AT_ONCE } from '../../src/server/mail/transports.ts';
import { Client } from '../support/client.ts';
import { databaseUrl } from '../support/database.ts';
import {
  ADMIN,
  freePort,
  startInstance,
  type TestInstance,
} from '../support/instance.ts';
import { codeIn, linkIn, TestSmtp } from '../support/smtp.ts';

const MINUTE = 60_000;
// Longer than the sender's longest backoff (10 minutes).
const PAST_ANY_BACKOFF = 11 * MINUTE;
const PASSWORD = 'a long and personal passphrase';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let cv: TestInstance;

beforeAll(async () => {
  cv = await startInstance();
});
afterAll(async () => {
  cv.smtp.refusing = false;
  await cv.stop();
});

function outboxOf(instance: TestInstance, userId: string, kind: string) {
  return instance.callvault.db
    .selectFrom('outbox')
    .selectAll()
    .where('user_id', '=', userId)
    .where('kind', '=', kind)
    .orderBy('created_at')
    .execute();
}

/**
 * Waits for the latest message of a kind to have had a failed attempt that
 * is over (no lease held), so that no send is still on the wire when the
 * test moves the clock or brings SMTP back.
 */
async function failedAttempt(instance: TestInstance, userId: string, kind: string) {
  for (let tries = 0; tries < 100; tries += 1) {
    const mail = (await outboxOf(instance, userId, kind)).at(-1);
    if (mail && mail.attempts >= 1 && mail.last_error && !mail.lease_until) return mail;
    await instance.callvault.sender.deliverDue();
    await sleep(50);
  }
  throw new Error(`no failed attempt for ${kind} of ${userId}`);
}

async function listed(instance: TestInstance, email: string) {
  const admin = await instance.admin();
  const page = await admin.get(`/api/users?search=${encodeURIComponent(email)}`);
  expect(page.body.users).toHaveLength(1);
  return page.body.users[0];
}

describe('an SMTP outage', () => {
  const emails = ['outage-1@outbox.test', 'outage-2@outbox.test', 'outage-3@outbox.test'];
  const ids: string[] = [];

  it("never fails the administrator's Save", async () => {
    cv.smtp.refusing = true;
    const admin = await cv.admin();

    for (const email of emails) {
      const created = await admin.post('/api/users', {
        email,
        firstName: 'Out',
        lastName: 'Age',
        roles: ['user'],
        twoFactor: false,
      });

      expect(created.status).toBe(201);
      expect(created.body.status).toBe('invited');
      expect(['queued', 'retrying']).toContain(created.body.invitationDelivery);
      ids.push(created.body.id);
    }

    for (const id of ids) {
      const [mail] = await outboxOf(cv, id, 'invitation');
      expect(mail).toBeDefined();
      expect(mail!.sent_at).toBeNull();
      expect(mail!.text_body).toContain('/invitation#');
    }
  });

  it('shows "retrying" in the Users list once an attempt has failed', async () => {
    for (const [index, id] of ids.entries()) {
      const mail = await failedAttempt(cv, id, 'invitation');
      expect(mail.last_error).toMatch(/451|unavailable/);
      expect(mail.sent_at).toBeNull();
      expect((await listed(cv, emails[index]!)).invitationDelivery).toBe('retrying');
    }
    for (const email of emails) expect(cv.smtp.to(email)).toHaveLength(0);
  });

  it('backs off between attempts instead of hammering the server', async () => {
    const [before] = await outboxOf(cv, ids[0]!, 'invitation');

    await cv.callvault.sender.deliverDue();
    const [after] = await outboxOf(cv, ids[0]!, 'invitation');

    expect(new Date(before!.next_attempt_at).getTime()).toBeGreaterThan(
      cv.callvault.ctx.clock().getTime(),
    );
    expect(after!.attempts).toBe(before!.attempts);
  });

  it('delivers each invitation exactly once when SMTP comes back', async () => {
    cv.smtp.refusing = false;
    cv.advance(PAST_ANY_BACKOFF);

    await cv.callvault.sender.deliverDue();
    for (const email of emails) await cv.smtp.waitFor(email);
    // More rounds, forced and by the timer, must not send anything twice.
    await cv.callvault.sender.deliverDue();
    await sleep(1500);

    for (const email of emails) {
      expect(cv.smtp.to(email)).toHaveLength(1);
      expect((await listed(cv, email)).invitationDelivery).toBe('sent');
    }
  });

  it('erases the body of each message once it is sent', async () => {
    for (const id of ids) {
      const [mail] = await outboxOf(cv, id, 'invitation');
      expect(mail!.sent_at).not.toBeNull();
      expect(mail!.text_body).toBeNull();
      expect(mail!.html_body).toBeNull();
      expect(mail!.lease_until).toBeNull();
    }
  });

  it('sends a link that still works after the delay', async () => {
    const mail = cv.smtp.to(emails[0]!)[0]!;
    const browser = cv.client();

    const step = await browser.post('/api/invitations/accept', {
      token: new URL(linkIn(mail)).hash.slice(1),
    });

    expect(step.status).toBe(200);
    expect(step.body.step).toBe('personalise');
  });
});

describe('security codes during an outage', () => {
  const email = 'coded@outbox.test';
  let userId: string;

  beforeAll(async () => {
    ({ id: userId } = await cv.addActiveUser({ email, twoFactor: true }));
  });
  afterAll(() => {
    cv.smtp.refusing = false;
  });

  it('sends a code late while it is still valid', async () => {
    const received = cv.smtp.to(email).length;
    cv.smtp.refusing = true;
    const browser = cv.client();
    const step = await browser.post('/api/sign-in', { email, password: PASSWORD });
    expect(step.body.step).toBe('code');
    await failedAttempt(cv, userId, 'security_code');

    cv.advance(2 * MINUTE);
    cv.smtp.refusing = false;
    await cv.callvault.sender.deliverDue();
    const mail = await cv.smtp.waitFor(email, received + 1);

    const done = await browser.post('/api/sign-in/code', { code: codeIn(mail) });
    expect(done.body.step).toBe('home');
  });

  it('discards a code it could not send within its 10 minutes', async () => {
    const received = cv.smtp.to(email).length;
    cv.smtp.refusing = true;
    const browser = cv.client();
    const step = await browser.post('/api/sign-in', { email, password: PASSWORD });
    expect(step.body.step).toBe('code');
    await failedAttempt(cv, userId, 'security_code');

    cv.advance(10 * MINUTE + 1_000);
    cv.smtp.refusing = false;
    await cv.callvault.sender.deliverDue();
    await sleep(1500);

    expect(cv.smtp.to(email)).toHaveLength(received);
    const codes = await outboxOf(cv, userId, 'security_code');
    const stale = codes.at(-1)!;
    expect(stale.sent_at).toBeNull();
    expect(stale.discarded_at).not.toBeNull();
    expect(stale.text_body).toBeNull();
    expect(stale.html_body).toBeNull();

    // The person is not stuck: a new code is sent and works.
    const resend = await browser.post('/api/sign-in/code/resend', {});
    expect(resend.status).toBe(200);
    const mail = await cv.smtp.waitFor(email, received + 1);
    const done = await browser.post('/api/sign-in/code', { code: codeIn(mail) });
    expect(done.body.step).toBe('home');
  });
});

describe('the local mailbox, when SMTP_URL is unset', () => {
  let local: TestInstance;

  beforeAll(async () => {
    local = await startInstance({ SMTP_URL: '' });
  });
  afterAll(async () => {
    await local.stop();
  });

  it('keeps mail readable at /api/mailbox, newest first', async () => {
    const admin = await local.admin();
    for (const email of ['first@mailbox.test', 'second@mailbox.test']) {
      const created = await admin.post('/api/users', {
        email,
        roles: ['user'],
        twoFactor: false,
      });
      expect(created.status).toBe(201);
    }

    const messages = await mailboxMessages(local, 2);

    expect(messages.map((m) => m.to).slice(0, 2)).toEqual([
      'second@mailbox.test',
      'first@mailbox.test',
    ]);
    expect(messages[0]!.text).toMatch(/\/invitation#/);
    expect(local.smtp.mails).toEqual([]);
  });

  it('logs recipient and subject of each message, never the code', async () => {
    const email = 'code@mailbox.test';
    const admin = await local.admin();
    await admin.post('/api/users', { email, roles: ['user'], twoFactor: true });
    const invitation = (await mailboxMessages(local, 3)).find((m) => m.to === email)!;
    const link = invitation.text.match(/https?:\/\/\S+\/invitation#\S+/)![0];
    const token = new URL(link).hash.slice(1);
    const step = await local.client().post('/api/invitations/accept', { token });
    expect(step.body.step).toBe('code');

    const mail = (await mailboxMessages(local, 4))[0]!;
    const code = mail.text.match(/security code is (\d{6})/)![1]!;

    const lines = local.logs.filter((line) => line.includes(email));
    expect(lines.some((line) => line.includes(mail.subject))).toBe(true);
    for (const line of local.logs) {
      expect(line).not.toMatch(new RegExp(`(?<!\\d)${code}(?!\\d)`));
      expect(line).not.toContain(token);
    }
  });

  // DNS rebinding: a page on evil.test re-points its name at 127.0.0.1,
  // and the visitor's own browser, on this machine, fetches the mailbox.
  it('refuses a request that names another host, even from this machine', async () => {
    const port = new URL(local.url).port;

    expect(await mailboxStatus(`evil.test:${port}`)).toBe(403);
    expect(await mailboxStatus('evil.test')).toBe(403);
    expect(await mailboxStatus(`localhost:${port}`)).toBe(200);
    expect(await mailboxStatus(`127.0.0.1:${port}`)).toBe(200);
  });

  function mailboxStatus(host: string): Promise<number> {
    const url = new URL(local.url);
    return new Promise((resolve, reject) => {
      http
        .get(
          { host: url.hostname, port: url.port, path: '/api/mailbox', headers: { host } },
          (response) => {
            response.resume();
            resolve(response.statusCode ?? 0);
          },
        )
        .on('error', reject);
    });
  }

  it('does not exist when mail goes through SMTP', async () => {
    const answer = await cv.client().get('/api/mailbox');

    expect(answer.status).toBe(404);
  });
});

async function mailboxMessages(instance: TestInstance, atLeast: number) {
  for (let tries = 0; tries < 100; tries += 1) {
    const answer = await instance.client().get('/api/mailbox');
    expect(answer.status).toBe(200);
    const messages = answer.body.messages as Array<{
      to: string;
      subject: string;
      text: string;
    }>;
    if (messages.length >= atLeast) return messages;
    await sleep(100);
  }
  throw new Error(`fewer than ${atLeast} messages in the mailbox`);
}

// A round picks its due messages first and sends them one by one; a slow
// message ahead can push a code past its 10 minutes before its turn.
describe('a code that expires while a round is busy', () => {
  let solo: TestInstance;

  beforeAll(async () => {
    solo = await startInstance();
  });
  afterAll(async () => {
    await solo.stop();
  });

  it('is not sent once its turn comes after its 10 minutes', async () => {
    const email = 'queued-behind@outbox.test';
    const { id } = await solo.addActiveUser({ email, twoFactor: true });
    const received = solo.smtp.to(email).length;
    // Only the rounds this test runs, so that it decides what runs when.
    await solo.callvault.sender.stop();

    // One batch ahead of the code: the sender sends SEND_AT_ONCE side by
    // side, and the code's turn comes with the next batch.
    const admin = await solo.admin();
    for (let i = 0; i < SEND_AT_ONCE; i += 1) {
      const ahead = await admin.post('/api/users', {
        email: `ahead${i}@outbox.test`,
        roles: ['user'],
        twoFactor: false,
      });
      expect(ahead.status).toBe(201);
    }
    const step = await solo.client().post('/api/sign-in', { email, password: PASSWORD });
    expect(step.body.step).toBe('code');

    const round = solo.callvault.sender.deliverDue();
    await solo.smtp.waitFor('ahead0@outbox.test');
    // While the messages ahead are still being confirmed, time runs out.
    solo.advance(10 * MINUTE + 1_000);
    await round;
    await solo.callvault.sender.deliverDue();
    await sleep(500);

    expect(solo.smtp.to(email)).toHaveLength(received);
    const code = (await outboxOf(solo, id, 'security_code')).at(-1)!;
    expect(code.sent_at).toBeNull();
    expect(code.discarded_at).not.toBeNull();
    expect(code.text_body).toBeNull();
  });
});

describe('a stopped or killed process loses nothing committed', () => {
  it('delivers an invitation queued before the process stopped', async () => {
    const first = await startInstance();
    first.smtp.refusing = true;
    const admin = await first.admin();
    const created = await admin.post('/api/users', {
      email: 'restart@outbox.test',
      roles: ['user'],
      twoFactor: false,
    });
    expect(created.status).toBe(201);
    await first.stop({ keepFiles: true });

    const second = await startInstance({}, { dir: first.dir });
    try {
      second.advance(PAST_ANY_BACKOFF);
      await second.callvault.sender.deliverDue();
      const mail = await second.smtp.waitFor('restart@outbox.test');
      await sleep(1000);

      expect(second.smtp.to('restart@outbox.test')).toHaveLength(1);
      expect(first.smtp.to('restart@outbox.test')).toHaveLength(0);
      const accepted = await second.client().post('/api/invitations/accept', {
        token: new URL(linkIn(mail)).hash.slice(1),
      });
      expect(accepted.status).toBe(200);
    } finally {
      await second.stop();
    }
  });

  // SIGKILL gives no shutdown hook a chance: only what was committed to
  // the database before the answer went out can survive.
  it('delivers an invitation queued before the process was killed', async () => {
    const smtp = new TestSmtp();
    smtp.refusing = true;
    const smtpUrl = await smtp.start();
    const holder = await startInstance();
    const dir = holder.dir;
    await holder.stop({ keepFiles: true });
    const database = await databaseUrl(dir);

    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        '--import',
        pathToFileURL(path.join(root, 'node_modules/tsx/dist/loader.mjs')).href,
        path.join(root, 'src/server/main.ts'),
      ],
      {
        cwd: dir,
        env: {
          PATH: process.env.PATH ?? '',
          // The JSX of the mail templates compiles by the project's settings.
          TSX_TSCONFIG_PATH: path.join(root, 'tsconfig.json'),
          PORT: String(port),
          HOST: '127.0.0.1',
          DATABASE_URL: database,
          SMTP_URL: smtpUrl,
          MAIL_FROM: 'Callvault <no-reply@callvault.test>',
          ADMIN_EMAIL: ADMIN.email,
          ADMIN_PASSWORD: ADMIN.password,
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

    try {
      await new Promise<void>((resolve, reject) => {
        let output = '';
        const timer = setTimeout(() => reject(new Error(`no start: ${output}`)), 20_000);
        child.stdout.on('data', (chunk) => {
          output += String(chunk);
          if (output.includes('Callvault is running')) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
      });

      const admin = new Client(`http://127.0.0.1:${port}`);
      expect((await admin.post('/api/sign-in', ADMIN)).status).toBe(200);
      const created = await admin.post('/api/users', {
        email: 'killed@outbox.test',
        roles: ['user'],
        twoFactor: false,
      });
      expect(created.status).toBe(201);
    } finally {
      child.kill('SIGKILL');
      await exited;
      await smtp.stop();
    }

    const revived = await startInstance({}, { dir });
    try {
      const row = await revived.callvault.db
        .selectFrom('users')
        .select(['id', 'status'])
        .where('email_normalized', '=', 'killed@outbox.test')
        .executeTakeFirst();
      expect(row?.status).toBe('invited');

      revived.advance(PAST_ANY_BACKOFF);
      await revived.callvault.sender.deliverDue();
      const mail = await revived.smtp.waitFor('killed@outbox.test');
      expect(linkIn(mail)).toContain('/invitation#');
      await sleep(1000);
      expect(revived.smtp.to('killed@outbox.test')).toHaveLength(1);
    } finally {
      await revived.stop();
    }
  });

  // A sender that dies between claiming a message and sending it leaves a
  // lease behind; the message must go out once the lease runs out.
  it('sends a message whose sender died mid-send once its claim runs out', async () => {
    const admin = await cv.admin();
    cv.smtp.refusing = true;
    const created = await admin.post('/api/users', {
      email: 'orphaned@outbox.test',
      roles: ['user'],
      twoFactor: false,
    });
    expect(created.status).toBe(201);
    await failedAttempt(cv, created.body.id, 'invitation');

    // What a sender that claimed the message and then died leaves behind.
    const now = cv.callvault.ctx.clock();
    await cv.callvault.db
      .updateTable('outbox')
      .set({
        lease_until: new Date(now.getTime() + MINUTE).toISOString(),
        next_attempt_at: now.toISOString(),
      })
      .where('user_id', '=', created.body.id)
      .execute();
    cv.smtp.refusing = false;

    await cv.callvault.sender.deliverDue();
    await sleep(500);
    expect(cv.smtp.to('orphaned@outbox.test')).toHaveLength(0);

    cv.advance(MINUTE + 1_000);
    await cv.callvault.sender.deliverDue();
    await cv.smtp.waitFor('orphaned@outbox.test');
    await sleep(1000);
    expect(cv.smtp.to('orphaned@outbox.test')).toHaveLength(1);
  });
});
