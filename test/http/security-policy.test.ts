/**
 * Settings > Security over HTTP against a real Callvault: only
 * administrators read or change it, the body is strict, Email MFA asks
 * everyone for a code at their next sign-in (and No MFA gives each user's
 * own choice back), the impact preview counts, lifetimes bite on sessions
 * already open, and every change is audited.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE } from '../../src/server/auth/context.ts';
import type { Client } from '../support/client.ts';
import { ADMIN, startInstance, type TestInstance } from '../support/instance.ts';
import {
  invite,
  latestCode,
  PASSWORD,
  rowsOf,
} from '../support/journey.ts';

const DEFAULTS = {
  twoFactor: 'none',
  sessionIdleMinutes: null,
  sessionMaxHours: null,
};

let cv: TestInstance;
beforeAll(async () => {
  cv = await startInstance();
});
afterAll(async () => {
  await cv.stop();
});

const administrators = new Map<TestInstance, Client>();

/**
 * A signed-in administrator: the one from before while their session
 * lives, else a new sign-in, with the security code when Email MFA is on
 * (it applies to administrators too).
 */
async function adminOf(instance: TestInstance): Promise<Client> {
  const known = administrators.get(instance);
  if (known && (await known.get('/api/me')).status === 200) return known;

  const client = instance.client();
  const answer = await client.post('/api/sign-in', ADMIN);
  if (answer.body.step === 'code') {
    const code = await latestCode(instance, ADMIN.email);
    await client.post('/api/sign-in/code', { code });
  }
  expect((await client.get('/api/me')).status).toBe(200);
  administrators.set(instance, client);
  return client;
}

/** Saves the policy as an administrator. */
async function savePolicy(instance: TestInstance, body: object) {
  const admin = await adminOf(instance);
  const answer = await admin.request('PUT', '/api/settings/security', body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer;
}

/** Signs in with a password in a fresh browser; answers the step reached. */
async function signIn(instance: TestInstance, email: string) {
  const client = instance.client();
  const answer = await client.post('/api/sign-in', { email, password: PASSWORD });
  expect(answer.status).toBe(200);
  return { client, step: answer.body.step as string };
}

async function expectSignedOut(client: Client): Promise<void> {
  const me = await client.get('/api/me');
  expect(me.status).toBe(401);
  expect(me.body.code).toBe('SIGN_IN_REQUIRED');
}

describe('who may see and change the policy', () => {
  it('shows the defaults to an administrator', async () => {
    const admin = await adminOf(cv);

    const answer = await admin.get('/api/settings/security');

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      ...DEFAULTS,
      defaults: { sessionIdleMinutes: 30, sessionMaxHours: 12 },
    });
  });

  it('refuses a signed-in user who is not an administrator', async () => {
    const { client } = await cv.addActiveUser({
      email: 'plain@policy.test',
      roles: ['supervisor', 'user'],
    });

    const read = await client.get('/api/settings/security');
    const write = await client.request('PUT', '/api/settings/security', {
      ...DEFAULTS,
      twoFactor: 'email',
    });
    const impact = await client.get(
      '/api/settings/security/impact?twoFactor=email',
    );

    for (const answer of [read, write, impact]) {
      expect(answer.status).toBe(403);
      expect(answer.body.code).toBe('FORBIDDEN');
    }
    const policy = await (await adminOf(cv)).get('/api/settings/security');
    expect(policy.body.twoFactor).toBe('none');
  });

  it('refuses a browser without a session', async () => {
    const anonymous = cv.client();

    const read = await anonymous.get('/api/settings/security');
    const write = await anonymous.request('PUT', '/api/settings/security', {
      ...DEFAULTS,
      twoFactor: 'email',
    });

    expect(read.status).toBe(401);
    expect(write.status).toBe(401);
  });

  it('refuses a change sent from another site', async () => {
    const admin = await adminOf(cv);

    const answer = await admin.request(
      'PUT',
      '/api/settings/security',
      { ...DEFAULTS, twoFactor: 'email' },
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    );

    expect(answer.status).toBe(403);
    expect(answer.body.code).toBe('CROSS_ORIGIN');
    expect((await admin.get('/api/settings/security')).body.twoFactor).toBe('none');
  });
});

describe('the body of a change', () => {
  let admin: Client;
  beforeAll(async () => {
    admin = await adminOf(cv);
  });

  const put = (body: unknown) =>
    admin.request('PUT', '/api/settings/security', body);

  it('refuses a field the API does not know', async () => {
    const answer = await put({ ...DEFAULTS, twoFactorForAdmins: 'none' });

    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('UNKNOWN_FIELD');
  });

  it('refuses App MFA, which is not offered yet, and unknown modes', async () => {
    for (const twoFactor of ['app', 'sms', '', null]) {
      const answer = await put({ ...DEFAULTS, twoFactor });
      expect(answer.status).toBe(400);
      expect(answer.body.fields.twoFactor).toBeTruthy();
    }
  });

  it.each([0, 1441, 1.5, '30', -5])(
    'refuses %j idle minutes next to the field',
    async (minutes) => {
      const answer = await put({ ...DEFAULTS, sessionIdleMinutes: minutes });

      expect(answer.status).toBe(400);
      expect(answer.body.fields.sessionIdleMinutes).toMatch(/1 to 1440/);
    },
  );

  it.each([0, 721, 2.5, '12'])(
    'refuses %j hours of session lifetime next to the field',
    async (hours) => {
      const answer = await put({ ...DEFAULTS, sessionMaxHours: hours });

      expect(answer.status).toBe(400);
      expect(answer.body.fields.sessionMaxHours).toMatch(/1 to 720/);
    },
  );

  it('needs every field, so a change never leaves one unsaid', async () => {
    const answer = await put({ twoFactor: 'email' });

    expect(answer.status).toBe(400);
    expect(Object.keys(answer.body.fields).sort()).toEqual([
      'sessionIdleMinutes',
      'sessionMaxHours',
    ]);
  });

  it('accepts the limits at both ends', async () => {
    for (const [minutes, hours] of [
      [1, 1],
      [1440, 720],
      [null, null],
    ]) {
      const answer = await put({
        twoFactor: 'none',
        sessionIdleMinutes: minutes,
        sessionMaxHours: hours,
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        sessionIdleMinutes: minutes,
        sessionMaxHours: hours,
      });
    }
  });

  it('refuses an impact query for another mode or extra fields', async () => {
    const unknown = await admin.get('/api/settings/security/impact?twoFactor=app');
    const extra = await admin.get(
      '/api/settings/security/impact?twoFactor=email&role=admin',
    );
    const missing = await admin.get('/api/settings/security/impact');

    expect(unknown.status).toBe(400);
    expect(extra.status).toBe(400);
    expect(extra.body.code).toBe('UNKNOWN_FIELD');
    expect(missing.status).toBe(400);
  });
});

describe('Email MFA', () => {
  afterEach(async () => {
    await savePolicy(cv, DEFAULTS);
  });

  it('asks a user with two-factor off for a code, until No MFA again', async () => {
    const email = 'forced@policy.test';
    const { id } = await cv.addActiveUser({ email, twoFactor: false });
    expect((await signIn(cv, email)).step).toBe('home');

    await savePolicy(cv, { ...DEFAULTS, twoFactor: 'email' });

    const forced = await signIn(cv, email);
    expect(forced.step).toBe('code');
    expect((await forced.client.get('/api/me')).body.code).toBe('CODE_REQUIRED');
    const code = await latestCode(cv, email);
    const done = await forced.client.post('/api/sign-in/code', { code });
    expect(done.body.step).toBe('home');
    expect((await forced.client.get('/api/me')).status).toBe(200);
    const signedIn = await cv.callvault.db
      .selectFrom('audit_events')
      .select('detail')
      .where('event', '=', 'sign_in.succeeded')
      .where('target_user_id', '=', id)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(signedIn.detail!)).toMatchObject({ twoFactor: true });

    // The user's own box is left as it was.
    const admin = await adminOf(cv);
    expect((await admin.get(`/api/users/${id}`)).body.twoFactor).toBe(false);

    await savePolicy(cv, DEFAULTS);
    expect((await signIn(cv, email)).step).toBe('home');
  });

  it('asks for a code after an invitation link too', async () => {
    const email = 'forced-invite@policy.test';
    const { token } = await invite(cv, { email, twoFactor: false });
    await savePolicy(cv, { ...DEFAULTS, twoFactor: 'email' });

    const browser = cv.client();
    const opened = await browser.post('/api/invitations/accept', { token });

    expect(opened.body.step).toBe('code');
    const code = await latestCode(cv, email);
    const verified = await browser.post('/api/sign-in/code', { code });
    expect(verified.body.step).toBe('personalise');
  });

  it('keeps asking a user whose own box is ticked after No MFA', async () => {
    const email = 'own-box@policy.test';
    await cv.addActiveUser({ email, twoFactor: true });
    await savePolicy(cv, { ...DEFAULTS, twoFactor: 'email' });
    await savePolicy(cv, DEFAULTS);

    expect((await signIn(cv, email)).step).toBe('code');
  });

  it('lets sessions already open go on until they end', async () => {
    const email = 'open-session@policy.test';
    const { client } = await cv.addActiveUser({ email, twoFactor: false });

    await savePolicy(cv, { ...DEFAULTS, twoFactor: 'email' });

    expect((await client.get('/api/me')).status).toBe(200);
  });

  it('applies on another instance sharing the database', async () => {
    const email = 'two-instances@policy.test';
    await cv.addActiveUser({ email, twoFactor: false });
    const other = await startInstance({}, { dir: cv.dir });
    try {
      expect((await signIn(other, email)).step).toBe('home');

      await savePolicy(cv, { ...DEFAULTS, twoFactor: 'email' });

      expect((await signIn(other, email)).step).toBe('code');
    } finally {
      await other.stop({ keepFiles: true });
    }
  });
});

describe('the impact preview', () => {
  let fresh: TestInstance;
  beforeAll(async () => {
    fresh = await startInstance();
    await fresh.addActiveUser({ email: 'off@impact.test', twoFactor: false });
    await fresh.addActiveUser({ email: 'on@impact.test', twoFactor: true });
    const { id } = await fresh.addActiveUser({ email: 'gone@impact.test' });
    const admin = await adminOf(fresh);
    await admin.patch(`/api/users/${id}`, { status: 'disabled' });
    await admin.post('/api/users', {
      email: 'new.off@impact.test',
      firstName: 'Nia',
      lastName: 'New',
      roles: ['user'],
      twoFactor: false,
    });
    await admin.post('/api/users', {
      email: 'new.on@impact.test',
      roles: ['user'],
      twoFactor: true,
    });
  });
  afterAll(async () => {
    await fresh.stop();
  });

  it('counts who would newly be asked, and names the invited', async () => {
    const admin = await adminOf(fresh);

    const answer = await admin.get('/api/settings/security/impact?twoFactor=email');

    // The administrator, off@ and new.off@; not on@ (already asked) nor
    // gone@ (disabled).
    expect(answer.status).toBe(200);
    expect(answer.body.affectedUsers).toBe(3);
    expect(answer.body.withoutConfirmedEmailTotal).toBe(2);
    expect(answer.body.withoutConfirmedEmail).toEqual([
      { id: expect.any(String), name: 'Nia New', email: 'new.off@impact.test' },
      {
        id: expect.any(String),
        name: 'new.on@impact.test',
        email: 'new.on@impact.test',
      },
    ]);
  });

  it('counts nobody for the mode already in force', async () => {
    const admin = await adminOf(fresh);

    const none = await admin.get('/api/settings/security/impact?twoFactor=none');

    expect(none.body).toEqual({
      affectedUsers: 0,
      withoutConfirmedEmail: [],
      withoutConfirmedEmailTotal: 0,
    });
  });

  it('counts who would stop being asked when going back to No MFA', async () => {
    await savePolicy(fresh, { ...DEFAULTS, twoFactor: 'email' });
    const admin = await adminOf(fresh);

    const none = await admin.get('/api/settings/security/impact?twoFactor=none');
    const email = await admin.get('/api/settings/security/impact?twoFactor=email');

    expect(none.body.affectedUsers).toBe(3);
    expect(email.body.affectedUsers).toBe(0);
    await savePolicy(fresh, DEFAULTS);
  });
});

describe('session lifetimes from the policy', () => {
  afterEach(async () => {
    await savePolicy(cv, DEFAULTS);
  });

  it('ends a session already open after the shorter idle time', async () => {
    const { client } = await cv.addActiveUser({ email: 'idle@policy.test' });
    await savePolicy(cv, { ...DEFAULTS, sessionIdleMinutes: 5 });

    cv.advance(4 * MINUTE);
    expect((await client.get('/api/me')).status).toBe(200);
    cv.advance(5 * MINUTE + 1000);

    await expectSignedOut(client);
  });

  it('keeps a session past the default idle time under a longer one', async () => {
    const { client } = await cv.addActiveUser({ email: 'lazy@policy.test' });
    await savePolicy(cv, { ...DEFAULTS, sessionIdleMinutes: 90 });

    cv.advance(60 * MINUTE);
    expect((await client.get('/api/me')).status).toBe(200);
    cv.advance(91 * MINUTE);

    await expectSignedOut(client);
  });

  it('ends a session older than a shorter lifetime at once', async () => {
    const { client, id } = await cv.addActiveUser({ email: 'aged@policy.test' });
    for (let minutes = 0; minutes < 120; minutes += 20) {
      cv.advance(20 * MINUTE);
      expect((await client.get('/api/me')).status).toBe(200);
    }

    // Saved two hours after this session began, a 1-hour lifetime ends it.
    await savePolicy(cv, { ...DEFAULTS, sessionMaxHours: 1 });

    await expectSignedOut(client);
    expect(await rowsOf(cv, 'sessions', id)).toBe(0);
  });

  it('gives new sessions a longer lifetime, cookie included', async () => {
    const email = 'long-day@policy.test';
    await cv.addActiveUser({ email });
    await savePolicy(cv, { ...DEFAULTS, sessionMaxHours: 24 });

    const client = cv.client();
    const answer = await client.post('/api/sign-in', { email, password: PASSWORD });
    const cookie = answer.headers
      .getSetCookie()
      .find((header) => header.startsWith('callvault_session='));
    expect(cookie).toMatch(/Max-Age=86400/);

    for (let minutes = 0; minutes < 13 * 60; minutes += 25) {
      cv.advance(25 * MINUTE);
      const me = await client.get('/api/me');
      expect(me.status, `after ${minutes + 25} minutes`).toBe(200);
    }
  });

  it('never stretches a session begun under a shorter lifetime', async () => {
    const { client } = await cv.addActiveUser({ email: 'short-start@policy.test' });
    await savePolicy(cv, { ...DEFAULTS, sessionMaxHours: 24 });

    for (let minutes = 0; minutes < 12 * 60 - 25; minutes += 25) {
      cv.advance(25 * MINUTE);
      expect((await client.get('/api/me')).status).toBe(200);
    }
    cv.advance(30 * MINUTE);

    await expectSignedOut(client);
  });
});

describe('the audit trail', () => {
  it('records each change with who made it, from and to', async () => {
    const before = await cv.callvault.db
      .selectFrom('audit_events')
      .select((eb) => eb.fn.max('id').as('last'))
      .executeTakeFirstOrThrow();

    await savePolicy(cv, {
      twoFactor: 'email',
      sessionIdleMinutes: 15,
      sessionMaxHours: null,
    });
    await savePolicy(cv, {
      twoFactor: 'email',
      sessionIdleMinutes: 15,
      sessionMaxHours: null,
    });
    await savePolicy(cv, DEFAULTS);

    const events = await cv.callvault.db
      .selectFrom('audit_events')
      .selectAll()
      .where('event', '=', 'policy.changed')
      .where('id', '>', Number(before.last ?? 0))
      .orderBy('id')
      .execute();

    // Saving the same values again is not a change.
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ actor_email: ADMIN.email });
    expect(events[0]?.ip).toBeTruthy();
    expect(JSON.parse(events[0]!.detail!)).toEqual({
      from: { twoFactor: 'none', sessionIdleMinutes: null },
      to: { twoFactor: 'email', sessionIdleMinutes: 15 },
    });
    expect(JSON.parse(events[1]!.detail!)).toEqual({
      from: { twoFactor: 'email', sessionIdleMinutes: 15 },
      to: { twoFactor: 'none', sessionIdleMinutes: null },
    });
  });

  it('records a refused attempt by someone not an administrator', async () => {
    const { client, id } = await cv.addActiveUser({ email: 'nosy@policy.test' });

    await client.request('PUT', '/api/settings/security', {
      ...DEFAULTS,
      twoFactor: 'email',
    });

    const denied = await cv.callvault.db
      .selectFrom('audit_events')
      .selectAll()
      .where('event', '=', 'access.denied')
      .where('actor_user_id', '=', id)
      .execute();
    expect(denied).toHaveLength(1);
    expect(JSON.parse(denied[0]!.detail!)).toMatchObject({
      method: 'PUT',
      route: '/api/settings/security',
    });
  });
});
