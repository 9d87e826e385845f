/**
 * Mass assignment and role escalation, attacked over HTTP: fields a
 * request may not set (roles, status, two-factor, steps, prototype keys)
 * are refused, on admin routes and on a user's own, and change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../support/client.ts';
import { startInstance, type TestInstance } from '../support/instance.ts';
import { PASSWORD } from '../support/journey.ts';
import { linkIn } from '../support/smtp.ts';
import { userAdministration } from '../support/user-administration.ts';

let cv: TestInstance;
let admin: Client;

beforeAll(async () => {
  cv = await startInstance();
  admin = await cv.admin();
});
afterAll(async () => {
  await cv.stop();
});

const {
  userRow,
  usersWithEmail,
  mailSnapshot,
  expectNoMailSince,
  invite,
  expectHumanMessage,
} = userAdministration(
  () => cv,
  () => admin,
);

describe('what a user cannot change about themselves', () => {
  it('refuses a user who edits their own roles, status or two-factor', async () => {
    const { client, id } = await cv.addActiveUser({
      email: 'self@self-service.test',
      roles: ['user'],
      twoFactor: true,
    });
    const before = await userRow(id);

    const attempts = [
      { roles: ['administrator'] },
      { status: 'active' },
      { twoFactor: false },
      { mustPersonalise: true },
      { firstName: 'Self' },
    ];
    for (const body of attempts) {
      const answer = await client.patch(`/api/users/${id}`, body);
      expect(answer.status, JSON.stringify(body)).toBe(403);
    }

    expect(await userRow(id)).toEqual(before);
    expect((await client.get('/api/me')).status).toBe(200);
  });

  it('offers no self-service route that changes an account', async () => {
    const { client, id } = await cv.addActiveUser({
      email: 'noroute@self-service.test',
      roles: ['user'],
    });
    const before = await userRow(id);
    const body = { roles: ['administrator'], twoFactor: false, status: 'active' };

    for (const method of ['POST', 'PATCH', 'PUT']) {
      const answer = await client.request(method, '/api/me', body);
      expect(answer.status, method).toBe(404);
    }
    for (const path of ['/api/users/me', '/api/me/roles', '/api/account']) {
      const answer = await client.patch(path, body);
      expect([403, 404], path).toContain(answer.status);
    }

    expect(await userRow(id)).toEqual(before);
  });

  it('refuses extra flags sent with a sign-in, and sets no cookie', async () => {
    await cv.addActiveUser({
      email: 'flags@self-service.test',
      roles: ['user'],
      twoFactor: true,
    });
    const browser = cv.client();

    for (const extra of [
      { twoFactor: false },
      { step: 'home' },
      { mustPersonalise: false },
      { roles: ['administrator'] },
      { codeVerified: true },
    ]) {
      const answer = await browser.post('/api/sign-in', {
        email: 'flags@self-service.test',
        password: PASSWORD,
        ...extra,
      });
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('UNKNOWN_FIELD');
      expect(answer.headers.getSetCookie()).toEqual([]);
    }
    expect(await browser.cookie('callvault_session')).toBeUndefined();
  });

  it('refuses extra flags while choosing a first password', async () => {
    const id = await invite('newcomer@self-service.test', { roles: ['user'] });
    const mail = await cv.smtp.waitFor('newcomer@self-service.test');
    const browser = cv.client();
    const token = new URL(linkIn(mail)).hash.slice(1);
    const step = await browser.post('/api/invitations/accept', { token });
    expect(step.body.step).toBe('personalise');
    const before = await userRow(id);

    for (const extra of [
      { mustPersonalise: false },
      { roles: ['administrator'] },
      { status: 'active' },
      { twoFactor: true },
    ]) {
      const answer = await browser.post('/api/password/personalise', {
        newPassword: 'skip every step please',
        confirmPassword: 'skip every step please',
        ...extra,
      });
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('UNKNOWN_FIELD');
    }

    expect(await userRow(id)).toEqual(before);
    const me = await browser.get('/api/me');
    expect(me.status).toBe(401);
    expect(me.body.code).toBe('PASSWORD_REQUIRED');
  });

  it('refuses extra flags sent with a security code', async () => {
    await cv.addActiveUser({
      email: 'codeflags@self-service.test',
      roles: ['user'],
      twoFactor: true,
    });
    const browser = cv.client();
    await browser.post('/api/sign-in', {
      email: 'codeflags@self-service.test',
      password: PASSWORD,
    });

    const answer = await browser.post('/api/sign-in/code', {
      code: '000000',
      verified: true,
    });

    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('UNKNOWN_FIELD');
    expect((await browser.get('/api/me')).body.code).toBe('CODE_REQUIRED');
  });
});

describe('fields a request may not set', () => {
  it.each([
    ['status', { status: 'active' }],
    ['mustPersonalise', { mustPersonalise: false }],
    ['passwordHash', { passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$x$y' }],
    ['password', { password: 'a password chosen by the admin' }],
    ['id', { id: '00000000-0000-0000-0000-000000000000' }],
    ['role_administrator', { role_administrator: 1 }],
  ])('refuses %s on create with UNKNOWN_FIELD and creates no one', async (name, extra) => {
    const email = `unknown-${name.toLowerCase()}@fields.test`;
    const mail = await mailSnapshot();

    const answer = await admin.post('/api/users', {
      email,
      firstName: 'Extra',
      lastName: 'Field',
      roles: ['user'],
      twoFactor: false,
      ...extra,
    });

    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('UNKNOWN_FIELD');
    expectHumanMessage(answer.body.message);
    expect(await usersWithEmail(email)).toHaveLength(0);
    await expectNoMailSince(mail);
  });

  it.each([
    ['email', { email: 'changed@fields.test' }],
    ['passwordHash', { passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$x$y' }],
    ['password_hash', { password_hash: null }],
    ['mustPersonalise', { mustPersonalise: false }],
    ['lastSignInAt', { lastSignInAt: '2020-01-01T00:00:00.000Z' }],
  ])('refuses %s on edit with UNKNOWN_FIELD and changes nothing', async (name, extra) => {
    const id = await invite(`edit-${name.toLowerCase()}@fields.test`);
    const before = await userRow(id);

    const answer = await admin.patch(`/api/users/${id}`, {
      firstName: 'Changed',
      ...extra,
    });

    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('UNKNOWN_FIELD');
    expect(await userRow(id)).toEqual(before);
  });

  it('refuses a status an administrator may not set by hand', async () => {
    const id = await invite('status-invited@fields.test');
    const before = await userRow(id);

    const answer = await admin.patch(`/api/users/${id}`, { status: 'invited' });

    expect(answer.status).toBe(400);
    expect(answer.body.fields.status).toBeTypeOf('string');
    expect(await userRow(id)).toEqual(before);
  });

  // Setting "active" on an invited user would let them skip the
  // invitation and their own password.
  it('keeps an invited user invited when an administrator sets "active"', async () => {
    const id = await invite('stay-invited@fields.test');

    const answer = await admin.patch(`/api/users/${id}`, { status: 'active' });

    expect(answer.status).toBe(200);
    const row = await userRow(id);
    expect(row.status).toBe('invited');
    expect(row.must_personalise).toBe(1);
    expect(row.password_hash).toBeNull();
  });

  it('refuses a prototype key smuggled in the JSON', async () => {
    const id = await invite('proto@fields.test');
    const before = await userRow(id);

    const answer = await admin.patch(
      `/api/users/${id}`,
      '{"__proto__":{"roles":["administrator"]},"firstName":"Proto"}',
    );

    expect(answer.status).toBe(400);
    expect(await userRow(id)).toEqual(before);
  });
});
