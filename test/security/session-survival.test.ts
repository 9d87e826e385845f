/**
 * Sessions that should not outlive a change, attacked over HTTP: a new
 * password (changed or personalised), an administrator disabling the
 * user, changing their roles or two-factor each end the sessions and
 * sign-ins already open; only a change of name leaves them alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../support/client.ts';
import { startInstance, type TestInstance } from '../support/instance.ts';
import {
  auditCount,
  invite,
  latestInvitation,
  PASSWORD,
  rowsOf,
  signInForCode,
} from '../support/journey.ts';

const NEW_PASSWORD = 'seven otters paddle past the mill';

let cv: TestInstance;
beforeAll(async () => {
  cv = await startInstance();
});
afterAll(async () => {
  await cv.stop();
});

/** A fresh browser signed in with a password (the user has no two-factor). */
async function signIn(instance: TestInstance, email: string): Promise<Client> {
  const client = instance.client();
  const answer = await client.post('/api/sign-in', { email, password: PASSWORD });
  expect(answer.body.step).toBe('home');
  return client;
}

async function expectSignedOut(client: Client): Promise<void> {
  const me = await client.get('/api/me');
  expect(me.status).toBe(401);
  expect(me.body.code).toBe('SIGN_IN_REQUIRED');
}

describe('personalising the password', () => {
  it('ends a sign-in opened with an invitation link that was resent', async () => {
    const email = 'two-links@callvault.test';
    const first = await invite(cv, { email });
    const earlier = cv.client();
    const opened = await earlier.post('/api/invitations/accept', {
      token: first.token,
    });
    expect(opened.body.step).toBe('personalise');

    // The administrator resends; the user opens the new link elsewhere.
    const admin = await cv.admin();
    await admin.post(`/api/users/${first.id}/invitation`);
    const token = await latestInvitation(cv, email);
    const later = cv.client();
    await later.post('/api/invitations/accept', { token });
    // The resend ended the earlier browser's sign-in; only the new is left.
    expect(await rowsOf(cv, 'pending_sign_ins', first.id)).toBe(1);

    const done = await later.post('/api/password/personalise', {
      newPassword: PASSWORD,
      confirmPassword: PASSWORD,
    });
    expect(done.body.step).toBe('home');

    const stale = await earlier.post('/api/password/personalise', {
      newPassword: 'another chosen passphrase',
      confirmPassword: 'another chosen passphrase',
    });
    expect(stale.status).toBe(401);
    expect(stale.body.code).toBe('SIGN_IN_REQUIRED');
    expect(await rowsOf(cv, 'pending_sign_ins', first.id)).toBe(0);
    expect(await rowsOf(cv, 'sessions', first.id)).toBe(1);
    expect((await later.get('/api/me')).status).toBe(200);
  });
});

describe("an administrator's change to a user", () => {
  const securityChanges = [
    ['two-factor', { twoFactor: true }],
    ['roles', { roles: ['supervisor'] }],
    ['status', { status: 'disabled' }],
  ] as const;

  it.each(securityChanges)(
    'to %s ends all of their sessions at once',
    async (what, change) => {
      const email = `changed-${what}@callvault.test`;
      const { client: laptop, id } = await cv.addActiveUser({ email });
      const phone = await signIn(cv, email);
      const endedBefore = await auditCount(cv, id, 'sessions.ended');

      const admin = await cv.admin();
      const patched = await admin.patch(`/api/users/${id}`, change);
      expect(patched.status).toBe(200);

      await expectSignedOut(laptop);
      await expectSignedOut(phone);
      expect(await rowsOf(cv, 'sessions', id)).toBe(0);
      expect(await auditCount(cv, id, 'sessions.ended')).toBe(endedBefore + 1);
    },
  );

  it('to two-factor also ends a sign-in waiting for its code', async () => {
    const email = 'changed-midway@callvault.test';
    const added = await cv.addActiveUser({ email, twoFactor: true });
    await added.client.post('/api/sign-out');
    const { client, code } = await signInForCode(cv, email);

    const admin = await cv.admin();
    await admin.patch(`/api/users/${added.id}`, { twoFactor: false });

    const late = await client.post('/api/sign-in/code', { code });
    expect(late.status).toBe(401);
    expect(late.body.code).toBe('SIGN_IN_REQUIRED');
    expect(await rowsOf(cv, 'sessions', added.id)).toBe(0);
  });

  it('to the name only leaves their sessions alone', async () => {
    const email = 'renamed@callvault.test';
    const { client, id } = await cv.addActiveUser({ email });

    const admin = await cv.admin();
    const patched = await admin.patch(`/api/users/${id}`, {
      firstName: 'Renamed',
      lastName: 'Person',
    });
    expect(patched.status).toBe(200);

    const me = await client.get('/api/me');
    expect(me.status).toBe(200);
    expect(me.body.firstName).toBe('Renamed');
    expect(await rowsOf(cv, 'sessions', id)).toBe(1);
  });
});

async function isSignedIn(client: Client): Promise<boolean> {
  return (await client.get('/api/me')).status === 200;
}

describe('changing the password', () => {
  /** A new active user, signed in in one browser, with a unique address. */
  async function newUser(options: { twoFactor?: boolean } = {}) {
    const email = `password-changer-${options.twoFactor ? 'code' : 'plain'}@callvault.test`;
    const { client, id } = await cv.addActiveUser({
      email,
      firstName: 'Petra',
      lastName: 'Quill',
      twoFactor: options.twoFactor ?? false,
    });
    return { client, id, email };
  }

  function changePassword(client: Client, body: Record<string, unknown>) {
    return client.post('/api/account/password', {
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
      confirmPassword: NEW_PASSWORD,
      ...body,
    });
  }

  it('ends the other sessions and pending sign-ins, and keeps this one', async () => {
    const { client, id, email } = await newUser({ twoFactor: true });
    const { client: second, code } = await signInForCode(cv, email);
    expect((await second.post('/api/sign-in/code', { code })).status).toBe(200);
    const { client: halfway } = await signInForCode(cv, email);
    expect(await rowsOf(cv, 'sessions', id)).toBe(2);

    const answer = await changePassword(client, {});

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ sessionsEnded: 1 });
    expect(await isSignedIn(client)).toBe(true);
    expect(await isSignedIn(second)).toBe(false);
    const late = await halfway.post('/api/sign-in/code', { code: '000000' });
    expect(late.status).toBe(401);
    expect(await rowsOf(cv, 'sessions', id)).toBe(1);
    expect(await rowsOf(cv, 'pending_sign_ins', id)).toBe(0);

    // The old password is gone; the new one starts a sign-in.
    const old = await cv.client().post('/api/sign-in', { email, password: PASSWORD });
    expect(old.status).toBe(401);
    const fresh = await cv
      .client()
      .post('/api/sign-in', { email, password: NEW_PASSWORD });
    expect(fresh.body.step).toBe('code');

    expect(await auditCount(cv, id, 'password.changed')).toBe(1);
    const ended = await cv.callvault.db
      .selectFrom('audit_events')
      .select('detail')
      .where('target_user_id', '=', id)
      .where('event', '=', 'sessions.ended')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(ended.detail ?? '{}')).toEqual({
      sessions: 1,
      reason: 'password changed',
    });
  });
});

describe('a role taken away', () => {
  let admin: Client;
  beforeAll(async () => {
    admin = await cv.admin();
  });

  it('shuts a former administrator out as soon as the role is taken away', async () => {
    const { client, id } = await cv.addActiveUser({
      email: 'former-admin@admin-routes.test',
      roles: ['administrator', 'user'],
    });
    expect((await client.get('/api/users')).status).toBe(200);

    const demoted = await admin.patch(`/api/users/${id}`, { roles: ['user'] });
    expect(demoted.status).toBe(200);

    // The old session ended with the change; a new one has no admin rights.
    expect((await client.get('/api/users')).status).toBe(401);
    const again = cv.client();
    await again.post('/api/sign-in', {
      email: 'former-admin@admin-routes.test',
      password: PASSWORD,
    });
    expect((await again.get('/api/users')).status).toBe(403);
  });
});
