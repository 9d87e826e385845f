/**
 * Between the password and the code, and until a new user has chosen a
 * password, the browser holds a pending sign-in, not a session. These
 * tests knock on every other door with it, and try to skip the step with
 * extra fields and forged or swapped cookies.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE } from '../../src/server/auth/context.ts';
import type { Client } from '../support/client.ts';
import { startInstance, type TestInstance } from '../support/instance.ts';
import {
  browserWith,
  invite,
  latestCode,
  PASSWORD,
  rowsOf,
  signInForCode,
} from '../support/journey.ts';

const NEW_PASSWORD = 'a fresh and private passphrase';

let cv: TestInstance;
beforeAll(async () => {
  cv = await startInstance();
});
afterAll(async () => {
  await cv.stop();
});

async function userRow(id: string) {
  return cv.callvault.db
    .selectFrom('users')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

async function outboxRows(): Promise<number> {
  const rows = await cv.callvault.db.selectFrom('outbox').select('id').execute();
  return rows.length;
}

/**
 * An administrator with two-factor on, in a browser that has given the
 * right password and now owes the code: the most a pending sign-in could
 * be worth to an attacker.
 */
async function administratorAtCode(email: string) {
  const added = await cv.addActiveUser({
    email,
    roles: ['administrator'],
    twoFactor: true,
  });
  await added.client.post('/api/sign-out');
  const { client, code } = await signInForCode(cv, email);
  return { id: added.id, client, code };
}

/** An invited administrator who opened their link (no two-factor). */
async function administratorAtPersonalise(email: string) {
  const { id, token } = await invite(cv, { email, roles: ['administrator'] });
  const client = cv.client();
  const step = await client.post('/api/invitations/accept', { token });
  expect(step.body).toEqual({
    step: 'personalise',
    redirect: '/personalise-password',
  });
  return { id, client };
}

/** Every API a signed-in administrator may use, tried by `client`. */
function tryEveryOtherApi(client: Client, target: string, newEmail: string) {
  return Promise.all([
    client.get('/api/me'),
    client.get('/api/users'),
    client.get(`/api/users/${target}`),
    client.post('/api/users', {
      email: newEmail,
      firstName: 'Sneaky',
      lastName: 'Addition',
      roles: ['administrator'],
      twoFactor: false,
    }),
    client.patch(`/api/users/${target}`, { roles: ['administrator'] }),
    client.post(`/api/users/${target}/invitation`),
  ]);
}

function pageAt(client: Client, path: string) {
  return client.get(path, { accept: 'text/html' });
}

describe('a browser that owes its security code', () => {
  it('gets 401 CODE_REQUIRED from every other API; nothing changes', async () => {
    const { id, client } = await administratorAtCode('owes-api@callvault.test');
    const target = await invite(cv, { email: 'owes-target@callvault.test' });
    const passwordHash = (await userRow(id)).password_hash;
    const mails = await outboxRows();

    const answers = [
      ...(await tryEveryOtherApi(client, target.id, 'owes-new@callvault.test')),
      await client.post('/api/password/personalise', {
        newPassword: NEW_PASSWORD,
        confirmPassword: NEW_PASSWORD,
      }),
    ];

    for (const answer of answers) {
      expect(answer.status).toBe(401);
      expect(answer.body.code).toBe('CODE_REQUIRED');
    }
    const added = await cv.callvault.db
      .selectFrom('users')
      .select('id')
      .where('email_normalized', '=', 'owes-new@callvault.test')
      .execute();
    expect(added).toEqual([]);
    expect((await userRow(target.id)).role_administrator).toBe(0);
    expect((await userRow(id)).password_hash).toBe(passwordHash);
    expect(await outboxRows()).toBe(mails);
    expect(await rowsOf(cv, 'sessions', id)).toBe(0);
  });

  it('is sent to the code page by every other page', async () => {
    const { client } = await administratorAtCode('owes-pages@callvault.test');

    for (const path of ['/', '/settings/users', '/personalise-password']) {
      const page = await pageAt(client, path);
      expect(page.status).toBe(303);
      expect(page.headers.get('location')).toBe('/sign-in/code');
      expect(page.body ?? '').not.toContain('<script');
    }

    // Its own page is served (503 only while the web app is unbuilt).
    const codePage = await pageAt(client, '/sign-in/code');
    expect([200, 503]).toContain(codePage.status);
    expect(codePage.headers.get('location')).toBeNull();
  });

  it('may read the code page, ask for a new code, and cancel for good', async () => {
    const email = 'owes-own@callvault.test';
    const { id, client } = await administratorAtCode(email);
    const pendingToken = (await client.cookie('callvault_pending'))!;

    const status = await client.get('/api/sign-in/code');
    expect(status.status).toBe(200);
    expect(status.body.sentTo).toBe('o•••@callvault.test');

    cv.advance(MINUTE);
    const resent = await client.post('/api/sign-in/code/resend');
    expect(resent.status).toBe(200);
    const code = await latestCode(cv, email);

    const cancelled = await client.post('/api/sign-in/cancel');
    expect(cancelled.status).toBe(204);
    expect(await client.cookie('callvault_pending')).toBeUndefined();
    expect(await rowsOf(cv, 'pending_sign_ins', id)).toBe(0);

    // A copy of the cookie kept from before is worth nothing now.
    const copy = await browserWith(cv, { callvault_pending: pendingToken });
    for (const answer of [
      await copy.get('/api/sign-in/code'),
      await copy.post('/api/sign-in/code', { code }),
    ]) {
      expect(answer.status).toBe(401);
      expect(answer.body.code).toBe('SIGN_IN_REQUIRED');
    }
    expect(await rowsOf(cv, 'sessions', id)).toBe(0);
  });
});

describe('a new user who must personalise their password', () => {
  it('gets 401 PASSWORD_REQUIRED from every API but its own', async () => {
    const email = 'must-api@callvault.test';
    const { id, client } = await administratorAtPersonalise(email);
    const target = await invite(cv, { email: 'must-target@callvault.test' });
    const mails = await outboxRows();

    const answers = [
      ...(await tryEveryOtherApi(client, target.id, 'must-new@callvault.test')),
      await client.get('/api/sign-in/code'),
      await client.post('/api/sign-in/code', { code: '123456' }),
      await client.post('/api/sign-in/code/resend'),
    ];

    for (const answer of answers) {
      expect(answer.status).toBe(401);
      expect(answer.body.code).toBe('PASSWORD_REQUIRED');
    }
    expect((await userRow(target.id)).role_administrator).toBe(0);
    expect(await outboxRows()).toBe(mails);
    expect(await userRow(id)).toMatchObject({
      status: 'invited',
      must_personalise: 1,
      password_hash: null,
    });

    const done = await client.post('/api/password/personalise', {
      newPassword: NEW_PASSWORD,
      confirmPassword: NEW_PASSWORD,
    });
    expect(done.body).toEqual({ step: 'home', redirect: '/' });
    expect((await client.get('/api/me')).status).toBe(200);
  });

  it('is sent to the personalise page by every other page', async () => {
    const email = 'must-pages@callvault.test';
    const { client } = await administratorAtPersonalise(email);

    for (const path of ['/', '/settings/users', '/sign-in/code']) {
      const page = await pageAt(client, path);
      expect(page.status).toBe(303);
      expect(page.headers.get('location')).toBe('/personalise-password');
    }

    const own = await pageAt(client, '/personalise-password');
    expect([200, 503]).toContain(own.status);
    expect(own.headers.get('location')).toBeNull();
  });

  it('may sign out, which ends the pending sign-in', async () => {
    const email = 'must-out@callvault.test';
    const { id, client } = await administratorAtPersonalise(email);
    const pendingToken = (await client.cookie('callvault_pending'))!;

    const out = await client.post('/api/sign-out');
    expect(out.status).toBe(204);
    expect(await rowsOf(cv, 'pending_sign_ins', id)).toBe(0);

    const copy = await browserWith(cv, { callvault_pending: pendingToken });
    const late = await copy.post('/api/password/personalise', {
      newPassword: NEW_PASSWORD,
      confirmPassword: NEW_PASSWORD,
    });
    expect(late.status).toBe(401);
    expect(late.body.code).toBe('SIGN_IN_REQUIRED');
    expect((await userRow(id)).password_hash).toBeNull();
  });
});

describe('an invitation link for a two-factor user', () => {
  it('asks for the code before the password can be personalised', async () => {
    const email = 'invited-2fa@callvault.test';
    const { id, token } = await invite(cv, { email, twoFactor: true });
    const client = cv.client();

    const step = await client.post('/api/invitations/accept', { token });
    expect(step.body).toEqual({ step: 'code', redirect: '/sign-in/code' });
    expect(await client.cookie('callvault_session')).toBeUndefined();

    const early = await client.post('/api/password/personalise', {
      newPassword: NEW_PASSWORD,
      confirmPassword: NEW_PASSWORD,
    });
    expect(early.status).toBe(401);
    expect(early.body.code).toBe('CODE_REQUIRED');
    expect(await userRow(id)).toMatchObject({
      status: 'invited',
      must_personalise: 1,
      password_hash: null,
    });

    const coded = await client.post('/api/sign-in/code', {
      code: await latestCode(cv, email),
    });
    expect(coded.body.step).toBe('personalise');
    const done = await client.post('/api/password/personalise', {
      newPassword: NEW_PASSWORD,
      confirmPassword: NEW_PASSWORD,
    });
    expect(done.body.step).toBe('home');
  });
});

describe('nothing a client sends skips a step', () => {
  it('refuses a code sent with twoFactor: false, and counts nothing', async () => {
    const email = 'extra-code@callvault.test';
    const { id, client, code } = await administratorAtCode(email);

    const answer = await client.post('/api/sign-in/code', {
      code: '000000',
      twoFactor: false,
    });

    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('UNKNOWN_FIELD');
    expect(await rowsOf(cv, 'sessions', id)).toBe(0);
    const pending = await cv.callvault.db
      .selectFrom('pending_sign_ins')
      .select(['stage', 'code_failures'])
      .where('user_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(pending).toEqual({ stage: 'code', code_failures: 0 });

    // The sign-in goes on only the ordinary way.
    const right = await client.post('/api/sign-in/code', { code });
    expect(right.body.step).toBe('home');
  });

  it("refuses a sign-in sent with step: 'home', and sends no code", async () => {
    const email = 'extra-step@callvault.test';
    const added = await cv.addActiveUser({ email, twoFactor: true });
    await added.client.post('/api/sign-out');
    const mails = await outboxRows();
    const client = cv.client();

    const answer = await client.post('/api/sign-in', {
      email,
      password: PASSWORD,
      step: 'home',
    });

    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('UNKNOWN_FIELD');
    expect(answer.headers.getSetCookie()).toEqual([]);
    expect(await rowsOf(cv, 'sessions', added.id)).toBe(0);
    expect(await rowsOf(cv, 'pending_sign_ins', added.id)).toBe(0);
    expect(await outboxRows()).toBe(mails);
  });

  it('refuses a new password sent with mustPersonalise: false', async () => {
    const email = 'extra-must@callvault.test';
    const { id, token } = await invite(cv, { email });
    const client = cv.client();
    await client.post('/api/invitations/accept', { token });

    const answer = await client.post('/api/password/personalise', {
      newPassword: NEW_PASSWORD,
      confirmPassword: NEW_PASSWORD,
      mustPersonalise: false,
    });

    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('UNKNOWN_FIELD');
    expect(await userRow(id)).toMatchObject({
      status: 'invited',
      must_personalise: 1,
      password_hash: null,
    });
    expect(await rowsOf(cv, 'sessions', id)).toBe(0);
  });

  it('refuses a link accepted with twoFactor: false, and keeps it', async () => {
    const email = 'extra-link@callvault.test';
    const { id, token } = await invite(cv, { email, twoFactor: true });
    const client = cv.client();

    const answer = await client.post('/api/invitations/accept', {
      token,
      twoFactor: false,
    });

    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('UNKNOWN_FIELD');
    expect(await rowsOf(cv, 'pending_sign_ins', id)).toBe(0);
    const accepted = await client.post('/api/invitations/accept', { token });
    expect(accepted.body.step).toBe('code');
  });
});

describe('cookies a client makes up or swaps', () => {
  it('open nothing when forged, even from a stored hash', async () => {
    const { client } = await cv.addActiveUser({ email: 'forged@callvault.test' });
    const real = (await client.cookie('callvault_session'))!;
    // What a copy of the database would give an attacker.
    const storedHash = crypto.createHash('sha256').update(real).digest('hex');
    const madeUp = crypto.randomBytes(32).toString('base64url');

    for (const value of [madeUp, storedHash, real.slice(0, -1)]) {
      const forger = await browserWith(cv, { callvault_session: value });
      const me = await forger.get('/api/me');
      expect(me.status).toBe(401);
      expect(me.body.code).toBe('SIGN_IN_REQUIRED');

      const page = await pageAt(forger, '/settings/users');
      expect(page.status).toBe(303);
      expect(page.headers.get('location')).toMatch(/^\/sign-in\?next=/);
    }

    const forgedPending = await browserWith(cv, { callvault_pending: madeUp });
    const code = await forgedPending.get('/api/sign-in/code');
    expect(code.status).toBe(401);
    expect(code.body.code).toBe('SIGN_IN_REQUIRED');
  });

  it('refuse a pending token presented as the session cookie', async () => {
    const atCode = await administratorAtCode('swap-code@callvault.test');
    const atPersonalise = await administratorAtPersonalise(
      'swap-must@callvault.test',
    );

    for (const holder of [atCode.client, atPersonalise.client]) {
      const pendingToken = (await holder.cookie('callvault_pending'))!;
      const swapped = await browserWith(cv, { callvault_session: pendingToken });

      for (const answer of [
        await swapped.get('/api/me'),
        await swapped.get('/api/users'),
      ]) {
        expect(answer.status).toBe(401);
        expect(answer.body.code).toBe('SIGN_IN_REQUIRED');
      }
    }
    expect(await rowsOf(cv, 'sessions', atCode.id)).toBe(0);
    expect(await rowsOf(cv, 'sessions', atPersonalise.id)).toBe(0);
  });

  it('refuse a session token presented as the pending cookie', async () => {
    const email = 'swap-back@callvault.test';
    const { client, id } = await cv.addActiveUser({ email });
    const sessionToken = (await client.cookie('callvault_session'))!;
    const swapped = await browserWith(cv, { callvault_pending: sessionToken });
    const hashBefore = (await userRow(id)).password_hash;

    const answer = await swapped.post('/api/password/personalise', {
      newPassword: NEW_PASSWORD,
      confirmPassword: NEW_PASSWORD,
    });

    expect(answer.status).toBe(401);
    expect(answer.body.code).toBe('SIGN_IN_REQUIRED');
    expect((await userRow(id)).password_hash).toBe(hashBefore);
  });

  it('refuse a session cookie kept after signing out', async () => {
    const { client, id } = await cv.addActiveUser({ email: 'kept@callvault.test' });
    const sessionToken = (await client.cookie('callvault_session'))!;

    const out = await client.post('/api/sign-out');
    expect(out.status).toBe(204);
    expect(await rowsOf(cv, 'sessions', id)).toBe(0);

    const replay = await browserWith(cv, { callvault_session: sessionToken });
    const me = await replay.get('/api/me');
    expect(me.status).toBe(401);
    expect(me.body.code).toBe('SIGN_IN_REQUIRED');
  });
});
