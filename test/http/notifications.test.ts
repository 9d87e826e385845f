/**
 * Security notifications against a real Callvault and a real SMTP
 * listener: an email when an administrator turns a user's two-factor on or
 * off, and a warning when someone keeps entering wrong security codes (at
 * most one an hour). None of them carries a code, link or token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUR, MINUTE } from '../../src/server/auth/context.ts';
import type { Client } from '../support/client.ts';
import { startInstance, type TestInstance } from '../support/instance.ts';
import {
  auditCount,
  invite,
  latestCode,
  signInForCode,
  wrongCode,
} from '../support/journey.ts';
import type { ReceivedMail } from '../support/smtp.ts';

let cv: TestInstance;
let admin: Client;
beforeAll(async () => {
  cv = await startInstance();
  admin = await cv.admin();
});
afterAll(async () => {
  await cv.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Mail of one kind queued for a user, as the outbox holds it. */
async function queued(userId: string, kind: string) {
  return cv.callvault.db
    .selectFrom('outbox')
    .select(['id', 'subject'])
    .where('user_id', '=', userId)
    .where('kind', '=', kind)
    .execute();
}

/** Waits for every queued mail to reach the SMTP listener. */
async function deliverAll(): Promise<void> {
  for (let tries = 0; tries < 50; tries += 1) {
    await cv.callvault.sender.deliverDue();
    const unsent = await cv.callvault.db
      .selectFrom('outbox')
      .select('id')
      .where('sent_at', 'is', null)
      .where('discarded_at', 'is', null)
      .execute();
    if (unsent.length === 0) return;
    await sleep(100);
  }
  throw new Error('the outbox did not empty');
}

/** A mail must hold no code, no link with a token, nothing secret. */
function expectNoSecret(mail: ReceivedMail, secrets: string[] = []) {
  const whole = `${mail.subject}\n${mail.text}\n${mail.html}`;
  expect(whole).not.toMatch(/(?<!\d)\d{6}(?!\d)/);
  expect(whole).not.toMatch(/#[A-Za-z0-9_-]{20,}/);
  expect(whole).not.toMatch(/invitation|reset-password|token/i);
  for (const secret of secrets) expect(whole).not.toContain(secret);
}

describe('two-factor turned on or off by an administrator', () => {
  const email = 'toggled@notify.test';
  let id: string;

  beforeAll(async () => {
    ({ id } = await cv.addActiveUser({
      email,
      firstName: 'Tess',
      lastName: 'Toggled',
      twoFactor: false,
    }));
    await deliverAll();
  });

  it('emails the user once when it is turned on, with no code in it', async () => {
    const before = cv.smtp.to(email).length;

    const answer = await admin.patch(`/api/users/${id}`, { twoFactor: true });
    expect(answer.status).toBe(200);
    await deliverAll();

    const mails = cv.smtp.to(email).slice(before);
    expect(mails).toHaveLength(1);
    const [mail] = mails as [ReceivedMail];
    expect(mail.subject).toBe(
      'Two-factor sign-in was turned on for your Callvault account',
    );
    expect(mail.text).toContain(
      'admin@callvault.test turned on two-factor sign-in',
    );
    expect(mail.text).toMatch(/next sign-in/);
    expectNoSecret(mail);
    expect(await queued(id, 'two_factor_changed')).toHaveLength(1);
  });

  it('sends the code itself only at the next sign-in', async () => {
    const before = cv.smtp.to(email).length;

    const { code } = await signInForCode(cv, email);

    const mail = cv.smtp.to(email)[before]!;
    expect(mail.subject).toMatch(/security code/i);
    expect(mail.text).toContain(code);
  });

  it('emails the user once when it is turned off', async () => {
    await deliverAll();
    const before = cv.smtp.to(email).length;

    await admin.patch(`/api/users/${id}`, { twoFactor: false });
    await deliverAll();

    const mails = cv.smtp.to(email).slice(before);
    expect(mails.map((mail) => mail.subject)).toEqual([
      'Two-factor sign-in was turned off for your Callvault account',
    ]);
    expect(mails[0]!.text).toMatch(/no longer ask for a security code/);
    expectNoSecret(mails[0]!);
  });

  it('sends nothing for a change that leaves two-factor as it was', async () => {
    await deliverAll();
    const before = cv.smtp.to(email).length;

    await admin.patch(`/api/users/${id}`, { twoFactor: false, firstName: 'Tessa' });
    await deliverAll();

    expect(cv.smtp.to(email)).toHaveLength(before);
    expect(await queued(id, 'two_factor_changed')).toHaveLength(2);
  });

  it('tells an invited user nothing: they have no sign-in yet', async () => {
    const invited = 'invited@notify.test';
    const { id: invitedId } = await invite(cv, { email: invited });

    await admin.patch(`/api/users/${invitedId}`, { twoFactor: true });

    expect(await queued(invitedId, 'two_factor_changed')).toHaveLength(0);
  });

  it('escapes a name that looks like markup', async () => {
    const marked = 'marked@notify.test';
    const { id: markedId } = await cv.addActiveUser({ email: marked });
    await admin.patch('/api/users/' + (await adminId()), {
      firstName: '<b>Boss</b>',
    });
    await deliverAll();
    const before = cv.smtp.to(marked).length;

    await admin.patch(`/api/users/${markedId}`, { twoFactor: true });
    await deliverAll();

    const mail = cv.smtp.to(marked)[before]!;
    expect(mail.text).toContain('<b>Boss</b> turned on');
    expect(mail.html).toContain('&lt;b&gt;Boss&lt;/b&gt;');
    expect(mail.html).not.toContain('<b>Boss</b>');
    await admin.patch('/api/users/' + (await adminId()), { firstName: '' });
  });
});

async function adminId(): Promise<string> {
  const me = await admin.get('/api/me');
  return me.body.id;
}

describe('repeated wrong security codes', () => {
  const email = 'guessed@notify.test';
  let id: string;

  beforeAll(async () => {
    ({ id } = await cv.addActiveUser({ email, twoFactor: true }));
    await deliverAll();
  });

  /** Enters `count` wrong codes in one sign-in; returns the right one. */
  async function guess(count: number): Promise<string> {
    const { client, code } = await signInForCode(cv, email);
    for (let step = 1; step <= count; step += 1) {
      const answer = await client.post('/api/sign-in/code', {
        code: wrongCode(code, step),
      });
      expect(answer.status).toBe(400);
    }
    return code;
  }

  function warnings(): ReceivedMail[] {
    return cv.smtp
      .to(email)
      .filter((mail) => mail.subject.startsWith('Wrong security codes'));
  }

  it('sends no warning for one or two typos', async () => {
    await guess(2);
    await deliverAll();

    expect(warnings()).toHaveLength(0);
    expect(await auditCount(cv, id, 'code.failures_notified')).toBe(0);
  });

  it('warns at the third wrong code in an hour, saying when and where', async () => {
    const code = await guess(1);
    await deliverAll();

    expect(warnings()).toHaveLength(1);
    const [warning] = warnings() as [ReceivedMail];
    expect(warning.subject).toBe(
      'Wrong security codes were entered for your Callvault account',
    );
    expect(warning.text).toMatch(/3 wrong security codes/);
    expect(warning.text).toMatch(/from 127\.0\.0\.1/);
    expect(warning.text).toMatch(/\d{2}:\d{2}:\d{2} GMT/);
    expect(warning.text).toMatch(/change it/);
    expectNoSecret(warning, [code]);
    expect(await auditCount(cv, id, 'code.failures_notified')).toBe(1);
  });

  it('sends no second warning within the hour', async () => {
    await guess(3);
    cv.advance(50 * MINUTE);
    await guess(1);
    await deliverAll();

    expect(warnings()).toHaveLength(1);
    expect(await queued(id, 'code_failures')).toHaveLength(1);
  });

  it('warns again after an hour, if the guessing goes on', async () => {
    // Past the hour of the last warning and of every failure before it.
    cv.advance(HOUR + 10 * MINUTE);
    await guess(2);
    await deliverAll();
    expect(warnings()).toHaveLength(1);

    const code = await guess(1);
    await deliverAll();

    expect(warnings()).toHaveLength(2);
    expect(warnings()[1]!.text).toMatch(/3 wrong security codes/);
    expectNoSecret(warnings()[1]!, [code]);
  });

  it('holds no code in the outbox row of a warning either', async () => {
    const rows = await cv.callvault.db
      .selectFrom('outbox')
      .selectAll()
      .where('user_id', '=', id)
      .where('kind', '=', 'code_failures')
      .execute();

    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.sent_at).not.toBeNull();
      expect(row.discard_after).toBeNull();
    }
  });

  it('lets the right code in after a warning, as before', async () => {
    cv.advance(HOUR);
    const { client } = await signInForCode(cv, email);
    const code = await latestCode(cv, email);

    const answer = await client.post('/api/sign-in/code', { code });

    expect(answer.body.step).toBe('home');
  });
});
