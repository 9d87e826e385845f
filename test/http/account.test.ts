/**
 * My account over HTTP: changing one's password (current password first,
 * the same rules, an email follows) and seeing and ending one's own
 * sessions. Other sessions ending, another user's session and requests
 * from other sites are attacked in test/security.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE } from '../../src/server/auth/context.ts';
import type { Client } from '../support/client.ts';
import { startInstance, type TestInstance } from '../support/instance.ts';
import {
  auditCount,
  invite,
  latestMail,
  PASSWORD,
  placesHolding,
  rowsOf,
  signInForCode,
} from '../support/journey.ts';

const FIREFOX_ON_WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 ' +
  'Firefox/128.0';
const SAFARI_ON_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 ' +
  '(KHTML, like Gecko) Version/17.5 Safari/605.1.15';
const NEW_PASSWORD = 'seven otters paddle past the mill';

let cv: TestInstance;
beforeAll(async () => {
  cv = await startInstance();
});
afterAll(async () => {
  await cv.stop();
});

let users = 0;

/** A new active user, signed in in one browser, with a unique address. */
async function newUser(options: { twoFactor?: boolean } = {}) {
  users += 1;
  const email = `account-${users}@callvault.test`;
  const { client, id } = await cv.addActiveUser({
    email,
    firstName: 'Petra',
    lastName: 'Quill',
    twoFactor: options.twoFactor ?? false,
  });
  return { client, id, email };
}

/** One more browser signed in as a user without two-factor. */
async function signIn(
  email: string,
  password = PASSWORD,
  headers: Record<string, string> = {},
): Promise<Client> {
  const client = cv.client(headers);
  const answer = await client.post('/api/sign-in', { email, password });
  expect(answer.body.step).toBe('home');
  return client;
}

async function isSignedIn(client: Client): Promise<boolean> {
  return (await client.get('/api/me')).status === 200;
}

function changePassword(client: Client, body: Record<string, unknown>) {
  return client.post('/api/account/password', {
    currentPassword: PASSWORD,
    newPassword: NEW_PASSWORD,
    confirmPassword: NEW_PASSWORD,
    ...body,
  });
}

function endSession(client: Client, id: string, headers?: Record<string, string>) {
  return client.request(
    'DELETE',
    `/api/account/sessions/${encodeURIComponent(id)}`,
    undefined,
    headers,
  );
}

describe('changing the password', () => {
  it('refuses a wrong current password, changes nothing and audits it', async () => {
    const { client, id, email } = await newUser();
    const other = await signIn(email);

    const answer = await changePassword(client, {
      currentPassword: 'not the password at all',
    });

    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('VALIDATION');
    expect(answer.body.fields).toEqual({
      currentPassword: 'This is not your current password.',
    });
    expect(await auditCount(cv, id, 'password.change_failed')).toBe(1);
    expect(await auditCount(cv, id, 'password.changed')).toBe(0);
    expect(await isSignedIn(other)).toBe(true);
    await signIn(email, PASSWORD);
  });

  it('gives the reason a new password is refused, as personalising does', async () => {
    const { client } = await newUser();

    const cases: Array<[string, RegExp]> = [
      ['short one', /at least 12 characters/],
      ['password123456', /most common passwords/],
      ['aaaaaaaaaaaaaaaa', /too few different characters/],
      ['petraquill2024!!', /your name, your email address/],
    ];
    for (const [password, reason] of cases) {
      const answer = await changePassword(client, {
        newPassword: password,
        confirmPassword: password,
      });
      expect(answer.status, password).toBe(400);
      expect(answer.body.fields.newPassword, password).toMatch(reason);
    }

    const mismatch = await changePassword(client, {
      confirmPassword: `${NEW_PASSWORD}!`,
    });
    expect(mismatch.body.fields).toEqual({
      confirmPassword: 'The two new passwords do not match.',
    });
  });

  it('names every field in trouble at once', async () => {
    const { client } = await newUser();

    const answer = await changePassword(client, {
      currentPassword: 'wrong wrong wrong',
      newPassword: 'short',
      confirmPassword: 'shorter',
    });

    expect(Object.keys(answer.body.fields).sort()).toEqual([
      'confirmPassword',
      'currentPassword',
      'newPassword',
    ]);
  });

  it('emails the user when, from where, and no password', async () => {
    const { email } = await newUser();
    const client = await signIn(email, PASSWORD, { 'user-agent': FIREFOX_ON_WINDOWS });
    const before = Date.now();

    expect((await changePassword(client, {})).status).toBe(200);
    const mail = await latestMail(cv, email);

    expect(mail.subject).toBe('Your Callvault password was changed');
    expect(mail.from).toBe('no-reply@callvault.test');
    expect(mail.text).toContain('127.0.0.1');
    expect(mail.text).toContain('Firefox 128 on Windows 10');
    const when = /changed on (.+ GMT),/.exec(mail.text)?.[1];
    expect(Math.abs(new Date(when ?? '').getTime() - before)).toBeLessThan(60_000);
    for (const secret of [PASSWORD, NEW_PASSWORD]) {
      expect(mail.text).not.toContain(secret);
      expect(mail.html).not.toContain(secret);
      expect(await placesHolding(cv, secret)).toEqual([]);
      expect(cv.logs.join('\n')).not.toContain(secret);
    }
  });

  it('slows guesses at the current password, then stops that session', async () => {
    const { client, id, email } = await newUser();

    // Three free guesses, then each waits out a doubling delay.
    for (let guess = 0; guess < 10; guess += 1) {
      cv.advance(16 * 60_000);
      const answer = await changePassword(client, {
        currentPassword: `guess number ${guess}`,
      });
      expect(answer.status, `guess ${guess + 1}`).toBe(400);
    }
    expect(await auditCount(cv, id, 'password.change_failed')).toBe(10);

    // The right password, too, is refused: a refusal must not say it was.
    cv.advance(16 * 60_000);
    const refused = await changePassword(client, {});
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('ATTEMPTS_STOPPED');
    expect(refused.body.message).toMatch(/Sign out and sign in again/);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);

    // The owner, in another session, is not held back by the guesser.
    const owner = await signIn(email);
    expect((await changePassword(owner, {})).status).toBe(200);
  });

  it('makes a fourth quick wrong guess wait', async () => {
    const { client } = await newUser();
    for (let guess = 0; guess < 4; guess += 1) {
      await changePassword(client, { currentPassword: `quick ${guess}` });
    }

    const waiting = await changePassword(client, {});

    expect(waiting.status).toBe(429);
    expect(waiting.body.code).toBe('TOO_MANY_ATTEMPTS');
    expect(waiting.body.message).toMatch(/wrong current passwords/);
  });

  it('refuses fields it does not know', async () => {
    const { client } = await newUser();
    const answer = await changePassword(client, { userId: 'someone-else' });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('UNKNOWN_FIELD');
  });
});

describe('the session list', () => {
  it('shows only the user’s own sessions, with browser, system and address', async () => {
    const { email } = await newUser();
    const here = await signIn(email, PASSWORD, { 'user-agent': FIREFOX_ON_WINDOWS });
    await signIn(email, PASSWORD, { 'user-agent': SAFARI_ON_MAC });
    const { client: stranger } = await newUser();

    const answer = await here.get('/api/account/sessions');

    expect(answer.status).toBe(200);
    // addActiveUser's browser, and the two above; none of the stranger's.
    expect(answer.body.sessions).toHaveLength(3);
    const current = answer.body.sessions.filter((s: any) => s.current);
    expect(current).toHaveLength(1);
    expect(current[0]).toMatchObject({
      browser: 'Firefox 128',
      system: 'Windows 10',
      address: '127.0.0.1',
    });
    expect(answer.body.sessions).toContainEqual(
      expect.objectContaining({ browser: 'Safari 17', system: 'macOS 14.5' }),
    );
    for (const session of answer.body.sessions) {
      expect(Object.keys(session).sort()).toEqual([
        'address',
        'browser',
        'current',
        'id',
        'lastActiveAt',
        'startedAt',
        'system',
      ]);
    }

    const theirs = await stranger.get('/api/account/sessions');
    expect(theirs.body.sessions).toHaveLength(1);
  });

  it('leaves out sessions that have run idle', async () => {
    const { client: idle, email } = await newUser();
    cv.advance(20 * MINUTE);
    const active = await signIn(email);
    cv.advance(15 * MINUTE);

    const answer = await active.get('/api/account/sessions');

    expect(answer.body.sessions).toHaveLength(1);
    expect(answer.body.sessions[0].current).toBe(true);
    expect(await isSignedIn(idle)).toBe(false);
  });

  it('never shows a token or its hash', async () => {
    const { client, id } = await newUser();
    const token = await client.cookie('callvault_session');
    const rows = await cv.callvault.db
      .selectFrom('sessions')
      .select('token_hash')
      .where('user_id', '=', id)
      .execute();

    const text = JSON.stringify((await client.get('/api/account/sessions')).body);
    expect(text).not.toContain(token);
    for (const row of rows) expect(text).not.toContain(row.token_hash);
  });
});

describe('signing sessions out', () => {
  it('ends one chosen session and no other', async () => {
    const { client, id, email } = await newUser();
    const laptop = await signIn(email, PASSWORD, { 'user-agent': SAFARI_ON_MAC });
    const phone = await signIn(email);
    const list = await client.get('/api/account/sessions');
    const target = list.body.sessions.find((s: any) => s.browser === 'Safari 17');

    const answer = await endSession(client, target.id);

    expect(answer.status).toBe(204);
    expect(await isSignedIn(laptop)).toBe(false);
    expect(await isSignedIn(phone)).toBe(true);
    expect(await isSignedIn(client)).toBe(true);
    expect(await auditCount(cv, id, 'sessions.ended')).toBe(1);
  });

  it('signs out everywhere else', async () => {
    const { client, id, email } = await newUser();
    const others = [await signIn(email), await signIn(email)];

    const answer = await client.post('/api/account/sessions/sign-out-others', {});

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ ended: 2 });
    for (const other of others) expect(await isSignedIn(other)).toBe(false);
    expect(await isSignedIn(client)).toBe(true);
    expect(await rowsOf(cv, 'sessions', id)).toBe(1);
    const list = await client.get('/api/account/sessions');
    expect(list.body.sessions).toHaveLength(1);
    expect(await auditCount(cv, id, 'sessions.ended')).toBe(1);
  });

  it('signs this browser out when it ends its own session', async () => {
    const { client } = await newUser();
    const [mine] = (await client.get('/api/account/sessions')).body.sessions;

    const answer = await endSession(client, mine.id);

    expect(answer.status).toBe(204);
    expect(answer.headers.getSetCookie().join()).toMatch(/callvault_session=;/);
    expect(await isSignedIn(client)).toBe(false);
  });
});

describe('who may call My account', () => {
  const calls: Array<[string, string, unknown]> = [
    ['GET', '/api/account/sessions', undefined],
    [
      'POST',
      '/api/account/password',
      {
        currentPassword: PASSWORD,
        newPassword: NEW_PASSWORD,
        confirmPassword: NEW_PASSWORD,
      },
    ],
    ['POST', '/api/account/sessions/sign-out-others', {}],
    ['DELETE', `/api/account/sessions/${crypto.randomUUID()}`, undefined],
  ];

  it('answers a pending sign-in with the step it owes', async () => {
    const { email } = await newUser({ twoFactor: true });
    const { client: owesCode } = await signInForCode(cv, email);
    const { token } = await invite(cv, { email: 'personalising@callvault.test' });
    const owesPassword = cv.client();
    const accepted = await owesPassword.post('/api/invitations/accept', { token });
    expect(accepted.body.step).toBe('personalise');

    for (const [method, path, body] of calls) {
      const code = await owesCode.request(method, path, body);
      expect([path, code.status, code.body.code]).toEqual([path, 401, 'CODE_REQUIRED']);
      const password = await owesPassword.request(method, path, body);
      expect([path, password.status, password.body.code]).toEqual([
        path,
        401,
        'PASSWORD_REQUIRED',
      ]);
      const stranger = await cv.client().request(method, path, body);
      expect([path, stranger.status, stranger.body.code]).toEqual([
        path,
        401,
        'SIGN_IN_REQUIRED',
      ]);
    }
  });

});
