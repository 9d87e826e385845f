/**
 * What an administrator does to an account, against a real Callvault:
 * disable and enable, "Sign out everywhere", delete (history kept, the
 * last administrator and oneself refused) and the invitation lifecycle
 * (Invited, Expired, resend). Each refusal is shown to change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Answer, Client } from '../support/client.ts';
import { ADMIN, startInstance, type TestInstance } from '../support/instance.ts';
import {
  auditCount,
  invite,
  latestInvitation,
  PASSWORD,
  rowsOf,
  signInForCode,
} from '../support/journey.ts';

const HOUR = 3_600_000;

let cv: TestInstance;
let admin: Client;

beforeAll(async () => {
  cv = await startInstance();
  admin = await cv.admin();
});
afterAll(async () => {
  await cv.stop();
});

function signIn(email: string, password = PASSWORD) {
  return cv.client().post('/api/sign-in', { email, password });
}

/** The parts of an answer an attacker can compare. */
function visible(answer: Answer) {
  return {
    status: answer.status,
    body: answer.body,
    cookies: answer.headers.getSetCookie(),
  };
}

function auditRows(targetUserId: string) {
  return cv.callvault.db
    .selectFrom('audit_events')
    .selectAll()
    .where('target_user_id', '=', targetUserId)
    .orderBy('id')
    .execute();
}

async function expectSignedOut(client: Client) {
  expect((await client.get('/api/me')).status).toBe(401);
}

describe('disabling a user', () => {
  it('ends their sessions and a sign-in waiting for its code at once', async () => {
    const email = 'disabled-now@actions.test';
    const { client: laptop, id } = await cv.addActiveUser({ email, twoFactor: true });
    const { client: phone, code } = await signInForCode(cv, email);
    expect(await rowsOf(cv, 'pending_sign_ins', id)).toBe(1);

    const patched = await admin.patch(`/api/users/${id}`, { status: 'disabled' });
    expect(patched.status).toBe(200);

    await expectSignedOut(laptop);
    const late = await phone.post('/api/sign-in/code', { code });
    expect(late.status).toBe(401);
    expect(await rowsOf(cv, 'sessions', id)).toBe(0);
    expect(await rowsOf(cv, 'pending_sign_ins', id)).toBe(0);
  });

  it("answers a disabled user's right password like a wrong one", async () => {
    const { id } = await cv.addActiveUser({ email: 'disabled-pw@actions.test' });
    await cv.addActiveUser({ email: 'enabled-pw@actions.test' });
    await admin.patch(`/api/users/${id}`, { status: 'disabled' });

    const disabled = visible(await signIn('disabled-pw@actions.test'));
    const wrong = visible(await signIn('enabled-pw@actions.test', 'not the passphrase'));

    expect(disabled.status).toBe(401);
    expect(disabled.body.code).toBe('SIGN_IN_FAILED');
    expect(disabled.cookies).toEqual([]);
    expect(disabled).toEqual(wrong);
  });

  it('lets a user back in once an administrator sets them Active again', async () => {
    const { id } = await cv.addActiveUser({ email: 'enabled-again@actions.test' });
    await admin.patch(`/api/users/${id}`, { status: 'disabled' });
    expect((await signIn('enabled-again@actions.test')).status).toBe(401);

    await admin.patch(`/api/users/${id}`, { status: 'active' });

    const answer = await signIn('enabled-again@actions.test');
    expect(answer.status).toBe(200);
    expect(answer.body.step).toBe('home');
  });
});

describe('"Sign out everywhere"', () => {
  it('ends every session and pending sign-in of the user, and records it', async () => {
    const email = 'everywhere@actions.test';
    const { client: laptop, id } = await cv.addActiveUser({ email, twoFactor: true });
    const { client: phone, code } = await signInForCode(cv, email);

    const answer = await admin.post(`/api/users/${id}/sessions/end`, {});

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ sessions: 1 });
    await expectSignedOut(laptop);
    expect((await phone.post('/api/sign-in/code', { code })).status).toBe(401);
    expect(await rowsOf(cv, 'sessions', id)).toBe(0);
    expect(await rowsOf(cv, 'pending_sign_ins', id)).toBe(0);

    const ended = (await auditRows(id)).filter((row) => row.event === 'sessions.ended');
    expect(ended.at(-1)).toMatchObject({ actor_email: ADMIN.email, target_email: email });
    expect(JSON.parse(ended.at(-1)!.detail!)).toMatchObject({ sessions: 1 });
  });

  it('leaves the user free to sign in again at once', async () => {
    const email = 'everywhere-again@actions.test';
    const { id } = await cv.addActiveUser({ email });
    await admin.post(`/api/users/${id}/sessions/end`, {});

    const answer = await signIn(email);

    expect(answer.status).toBe(200);
    expect(answer.body.step).toBe('home');
  });

  it.each(['supervisor', 'user'])(
    'is refused to a %s with 403, and ends nothing',
    async (role) => {
      const target = await cv.addActiveUser({ email: `kept-${role}@actions.test` });
      const { client } = await cv.addActiveUser({
        email: `not-admin-${role}@actions.test`,
        roles: [role],
      });

      const answer = await client.post(`/api/users/${target.id}/sessions/end`, {});

      expect(answer.status).toBe(403);
      expect(answer.body.code).toBe('FORBIDDEN');
      expect((await target.client.get('/api/me')).status).toBe(200);
      expect(await auditCount(cv, target.id, 'sessions.ended')).toBe(0);
    },
  );

  it('answers 404 for a user who does not exist', async () => {
    const answer = await admin.post('/api/users/no-such-user/sessions/end', {});

    expect(answer.status).toBe(404);
    expect(answer.body.code).toBe('USER_NOT_FOUND');
  });
});

describe('deleting a user', () => {
  it('removes the user and their sessions, keeping their history as it was', async () => {
    const email = 'Gone.Soon@actions.test';
    const { client, id } = await cv.addActiveUser({
      email,
      firstName: 'Gina',
      lastName: 'Gone',
    });
    const historyBefore = await auditRows(id);

    const answer = await admin.request('DELETE', `/api/users/${id}`);

    expect(answer.status).toBe(204);
    expect((await admin.get(`/api/users/${id}`)).status).toBe(404);
    await expectSignedOut(client);
    expect(await rowsOf(cv, 'sessions', id)).toBe(0);
    expect((await signIn(email)).body.code).toBe('SIGN_IN_FAILED');

    const history = await auditRows(id);
    expect(history.slice(0, historyBefore.length)).toEqual(historyBefore);
    expect(historyBefore.length).toBeGreaterThan(3);
    for (const row of historyBefore) expect(row.target_email).toBe(email);
    const deleted = history.at(-1)!;
    expect(deleted).toMatchObject({
      event: 'user.deleted',
      actor_email: ADMIN.email,
      target_email: email,
      target_name: 'Gina Gone',
    });
    expect(JSON.parse(deleted.detail!)).toMatchObject({
      name: 'Gina Gone',
      roles: ['user'],
      status: 'active',
      sessions: 1,
    });
  });

  it('shows the deleted user in the Security Log by the name they had', async () => {
    const { id } = await cv.addActiveUser({
      email: 'renamed-then-gone@actions.test',
      firstName: 'Rita',
      lastName: 'Before',
    });
    await admin.patch(`/api/users/${id}`, { lastName: 'After' });
    await admin.request('DELETE', `/api/users/${id}`);

    const log = await admin.get('/api/audit-events?user=renamed-then-gone');
    const names = log.body.events.map(
      (row: { event: string; target: { name: string } }) => [row.event, row.target.name],
    );

    expect(names[0]).toEqual(['user.deleted', 'Rita After']);
    expect(names).toContainEqual(['user.updated', 'Rita Before']);
    expect(names).toContainEqual(['user.created', 'Rita Before']);
  });

  it('voids their invitation link and discards mail still queued to them', async () => {
    const email = 'queued-then-gone@actions.test';
    cv.smtp.refusing = true;
    let id: string;
    try {
      const created = await admin.post('/api/users', {
        email,
        firstName: 'Quinn',
        lastName: 'Queued',
        roles: ['user'],
        twoFactor: false,
      });
      id = created.body.id;
      await firstTryFailed(email);
      const answer = await admin.request('DELETE', `/api/users/${id}`);
      expect(answer.status).toBe(204);
    } finally {
      cv.smtp.refusing = false;
    }

    const mail = await cv.callvault.db
      .selectFrom('outbox')
      .selectAll()
      .where('to_address', '=', email)
      .execute();
    expect(mail).toHaveLength(1);
    expect(mail[0]!.discarded_at).not.toBeNull();
    expect(mail[0]!.sent_at).toBeNull();
    expect(mail[0]!.text_body).toBeNull();
    expect(mail[0]!.html_body).toBeNull();
    const links = await cv.callvault.db
      .selectFrom('links')
      .select('id')
      .where('user_id', '=', id)
      .execute();
    expect(links).toHaveLength(0);

    await cv.callvault.sender.deliverDue();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(cv.smtp.to(email)).toHaveLength(0);
  });

  /**
   * Waits until the sender has tried the mail once and let go of it: a
   * message already on the wire when the user is deleted cannot be
   * called back, and this test is about the queue.
   */
  async function firstTryFailed(email: string) {
    for (let tries = 0; tries < 100; tries += 1) {
      const row = await cv.callvault.db
        .selectFrom('outbox')
        .select(['attempts', 'lease_until'])
        .where('to_address', '=', email)
        .executeTakeFirst();
      if (row && row.attempts > 0 && row.lease_until === null) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`the sender never tried the mail to ${email}`);
  }

  it('refuses a link mailed before the user was deleted', async () => {
    const { id, token } = await invite(cv, { email: 'link-then-gone@actions.test' });
    await admin.request('DELETE', `/api/users/${id}`);

    const answer = await cv.client().post('/api/invitations/accept', { token });

    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('LINK_INVALID');
    expect(answer.headers.getSetCookie()).toEqual([]);
  });

  it('refuses an administrator who deletes themselves, saying why', async () => {
    const second = await cv.addActiveUser({
      email: 'second-admin@actions.test',
      roles: ['administrator'],
    });

    const answer = await second.client.request('DELETE', `/api/users/${second.id}`);

    expect(answer.status).toBe(409);
    expect(answer.body.code).toBe('CANNOT_DELETE_SELF');
    expect(answer.body.message).toMatch(/your own account/);
    expect((await second.client.get('/api/me')).status).toBe(200);
  });

  it.each(['supervisor', 'user'])(
    'is refused to a %s with 403, and deletes nothing',
    async (role) => {
      const target = await cv.addActiveUser({ email: `spared-${role}@actions.test` });
      const { client } = await cv.addActiveUser({
        email: `deleter-${role}@actions.test`,
        roles: [role],
      });

      const answer = await client.request('DELETE', `/api/users/${target.id}`);

      expect(answer.status).toBe(403);
      expect((await admin.get(`/api/users/${target.id}`)).status).toBe(200);
      expect((await target.client.get('/api/me')).status).toBe(200);
      expect(await auditCount(cv, target.id, 'user.deleted')).toBe(0);
    },
  );

  it('answers 404 for a user who does not exist', async () => {
    const answer = await admin.request('DELETE', '/api/users/no-such-user');

    expect(answer.status).toBe(404);
  });
});

describe('the last active administrator', () => {
  let solo: TestInstance;

  beforeAll(async () => {
    solo = await startInstance();
  });
  afterAll(async () => {
    await solo.stop();
  });

  it('cannot be deleted', async () => {
    const only = await solo.admin();
    const me = await only.get('/api/me');

    const answer = await only.request('DELETE', `/api/users/${me.body.id}`);

    expect(answer.status).toBe(409);
    expect(answer.body.code).toBe('LAST_ADMINISTRATOR');
    expect((await only.get('/api/me')).status).toBe(200);
  });

  it('survives two administrators deleting each other at once', async () => {
    const first = await solo.admin();
    const firstId = (await first.get('/api/me')).body.id as string;
    const second = await solo.addActiveUser({
      email: 'rival@actions.test',
      roles: ['administrator'],
    });

    const answers = await Promise.all([
      first.request('DELETE', `/api/users/${second.id}`),
      second.client.request('DELETE', `/api/users/${firstId}`),
    ]);

    expect(answers.filter((answer) => answer.status === 204)).toHaveLength(1);
    const admins = await solo.callvault.db
      .selectFrom('users')
      .select('id')
      .where('role_administrator', '=', 1)
      .where('status', '=', 'active')
      .execute();
    expect(admins).toHaveLength(1);
  });
});

describe('the invitation lifecycle', () => {
  function listed(email: string) {
    return admin
      .get(`/api/users?search=${encodeURIComponent(email)}`)
      .then((answer) => answer.body.users[0]);
  }

  it('shows Invited, then Expired once the link runs out unused, then Invited ' +
    'again on resend', async () => {
    const email = 'lifecycle@actions.test';
    const { id, token: old } = await invite(cv, { email });
    expect(await listed(email)).toMatchObject({ status: 'invited', invitationExpired: false });

    cv.advance(72 * HOUR + 1_000);
    admin = await cv.admin();
    expect(await listed(email)).toMatchObject({ status: 'invited', invitationExpired: true });
    const expired = await cv.client().post('/api/invitations/accept', { token: old });
    expect(expired.status).toBe(400);
    expect(expired.body.code).toBe('INVITATION_EXPIRED');
    expect(expired.body.message).toMatch(/expired.*administrator/s);

    const resent = await admin.post(`/api/users/${id}/invitation`, {});
    expect(resent.status).toBe(200);
    expect(resent.body).toMatchObject({ status: 'invited', invitationExpired: false });
    const fresh = await latestInvitation(cv, email);
    expect(fresh).not.toBe(old);

    const again = await cv.client().post('/api/invitations/accept', { token: old });
    expect(again.body.code).toBe('LINK_INVALID');
    const accepted = await cv.client().post('/api/invitations/accept', { token: fresh });
    expect(accepted.status).toBe(200);
  });

  it('says "expired" only for a link that ran out, not for a used one', async () => {
    const email = 'used-once@actions.test';
    const { token } = await invite(cv, { email });
    expect((await cv.client().post('/api/invitations/accept', { token })).status).toBe(200);

    const reused = await cv.client().post('/api/invitations/accept', { token });

    expect(reused.body.code).toBe('LINK_INVALID');
  });

  it('records why an expired link was refused', async () => {
    const refused = await cv.callvault.db
      .selectFrom('audit_events')
      .select('detail')
      .where('event', '=', 'invitation.refused')
      .where('detail', 'is not', null)
      .execute();

    expect(refused.map((row) => JSON.parse(row.detail!))).toContainEqual({
      reason: 'expired',
    });
  });
});
