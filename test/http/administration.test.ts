/**
 * Settings > Users, attacked over HTTP against a real Callvault: the role
 * check on every admin route, fields a request may not set, the last
 * administrator, the email field, uniqueness, names that look like markup,
 * search and paging, and two-factor switched on and off later.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../support/client.ts';
import { ADMIN, startInstance, type TestInstance } from '../support/instance.ts';
import { codeIn, linkIn } from '../support/smtp.ts';

const PASSWORD = 'a long and personal passphrase';

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

/** The user's row as stored, to prove a refused request changed nothing. */
function userRow(id: string) {
  return cv.callvault.db
    .selectFrom('users')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

function usersWithEmail(email: string) {
  return cv.callvault.db
    .selectFrom('users')
    .selectAll()
    .where('email_normalized', '=', email.trim().toLowerCase())
    .execute();
}

async function count(table: 'users' | 'outbox' | 'links' | 'sessions') {
  const row = await cv.callvault.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * What mail exists now: queued in the outbox and received by SMTP. Mail
 * an earlier step queued is delivered first, so that it is not mistaken
 * for mail sent by the step under test.
 */
async function mailSnapshot() {
  for (let tries = 0; tries < 50; tries += 1) {
    await cv.callvault.sender.deliverDue();
    const unsent = await cv.callvault.db
      .selectFrom('outbox')
      .select('id')
      .where('sent_at', 'is', null)
      .where('discarded_at', 'is', null)
      .execute();
    if (unsent.length === 0) break;
    await sleep(100);
  }
  return { outbox: await count('outbox'), received: cv.smtp.mails.length };
}

/**
 * Proves nothing was sent since `before`: nothing new in the outbox (all
 * mail passes through it), and nothing arrives even after the sender has
 * been made to run and had time to deliver.
 */
async function expectNoMailSince(before: { outbox: number; received: number }) {
  await cv.callvault.sender.deliverDue();
  await sleep(1500);

  expect(await count('outbox')).toBe(before.outbox);
  expect(cv.smtp.mails.length).toBe(before.received);
}

/** Adds an invited user as the administrator and returns their id. */
async function invite(email: string, extra: Record<string, unknown> = {}) {
  const created = await admin.post('/api/users', {
    email,
    firstName: 'Invited',
    lastName: 'Person',
    roles: ['user'],
    twoFactor: false,
    ...extra,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id as string;
}

/** Error messages are for people: no schema jargon from the validator. */
function expectHumanMessage(message: unknown) {
  expect(typeof message).toBe('string');
  expect((message as string).length).toBeGreaterThan(10);
  expect(message).not.toMatch(/invalid input|expected|received|zod|undefined|NaN/i);
}

describe('the role check on every admin route', () => {
  let targetId: string;

  beforeAll(async () => {
    targetId = await invite('target@admin-routes.test');
    await cv.smtp.waitFor('target@admin-routes.test');
  });

  it.each(['supervisor', 'user'])(
    'refuses a signed-in %s on every admin route, changing and sending nothing',
    async (role) => {
      const { client, id } = await cv.addActiveUser({
        email: `${role}@admin-routes.test`,
        roles: [role],
      });
      const targetBefore = await userRow(targetId);
      const linksBefore = await cv.callvault.db.selectFrom('links').selectAll().execute();
      const usersBefore = await count('users');
      const mail = await mailSnapshot();

      const answers = [
        await client.get('/api/users'),
        await client.get(`/api/users/${targetId}`),
        await client.post('/api/users', {
          email: `made-by-${role}@admin-routes.test`,
          firstName: 'Not',
          lastName: 'Allowed',
          roles: ['administrator'],
          twoFactor: false,
        }),
        await client.patch(`/api/users/${targetId}`, {
          firstName: 'Hacked',
          roles: ['administrator'],
          status: 'disabled',
        }),
        await client.patch(`/api/users/${id}`, { roles: ['administrator'] }),
        await client.post(`/api/users/${targetId}/invitation`, {}),
      ];

      for (const answer of answers) {
        expect(answer.status).toBe(403);
        expect(answer.body.code).toBe('FORBIDDEN');
        expect(JSON.stringify(answer.body)).not.toContain('admin-routes.test');
      }
      expect(await userRow(targetId)).toEqual(targetBefore);
      expect((await userRow(id)).role_administrator).toBe(0);
      expect(await cv.callvault.db.selectFrom('links').selectAll().execute()).toEqual(
        linksBefore,
      );
      expect(await count('users')).toBe(usersBefore);
      await expectNoMailSince(mail);
    },
  );

  // "First thing": a body the schema would refuse, or an id that does not
  // exist, must not tell a non-administrator anything either.
  it('checks the role before reading the body or the id', async () => {
    const { client } = await cv.addActiveUser({
      email: 'early@admin-routes.test',
      roles: ['supervisor'],
    });

    const badBody = await client.post('/api/users', { nonsense: true });
    const notJson = await client.post('/api/users', '{not json', {
      'content-type': 'application/json',
    });
    const noSuchUser = await client.get('/api/users/no-such-user');
    const badQuery = await client.get('/api/users?limit=100000&bogus=1');

    for (const answer of [badBody, noSuchUser, badQuery]) {
      expect(answer.status).toBe(403);
      expect(answer.body.code).toBe('FORBIDDEN');
    }
    // A broken body may be refused by the parser before any route runs;
    // either way it is refused and nothing is created.
    expect([400, 403]).toContain(notJson.status);
  });

  it('records each refusal in the audit trail', async () => {
    const { client, id } = await cv.addActiveUser({
      email: 'audited@admin-routes.test',
      roles: ['user'],
    });

    await client.get('/api/users');
    await client.patch(`/api/users/${targetId}`, { firstName: 'X' });

    const denied = await cv.callvault.db
      .selectFrom('audit_events')
      .selectAll()
      .where('event', '=', 'access.denied')
      .where('actor_user_id', '=', id)
      .execute();
    expect(denied).toHaveLength(2);
  });

  it('answers 401 on every admin route to a browser that is not signed in', async () => {
    const stranger = cv.client();
    const targetBefore = await userRow(targetId);
    const mail = await mailSnapshot();

    const answers = [
      await stranger.get('/api/users'),
      await stranger.get(`/api/users/${targetId}`),
      await stranger.post('/api/users', {
        email: 'stranger-made@admin-routes.test',
        roles: ['administrator'],
        twoFactor: false,
      }),
      await stranger.patch(`/api/users/${targetId}`, { roles: ['administrator'] }),
      await stranger.post(`/api/users/${targetId}/invitation`, {}),
    ];

    for (const answer of answers) {
      expect(answer.status).toBe(401);
      expect(answer.body.code).toBe('SIGN_IN_REQUIRED');
    }
    expect(await userRow(targetId)).toEqual(targetBefore);
    expect(await usersWithEmail('stranger-made@admin-routes.test')).toHaveLength(0);
    await expectNoMailSince(mail);
  });

  // The password alone is not the administrator: until the code is
  // entered the browser holds a pending sign-in, not a session.
  it('refuses an administrator who owes the security code', async () => {
    await cv.addActiveUser({
      email: 'coded-admin@admin-routes.test',
      roles: ['administrator'],
      twoFactor: true,
    });
    const browser = cv.client();
    const step = await browser.post('/api/sign-in', {
      email: 'coded-admin@admin-routes.test',
      password: PASSWORD,
    });
    expect(step.body.step).toBe('code');

    const list = await browser.get('/api/users');
    const create = await browser.post('/api/users', {
      email: 'pending-made@admin-routes.test',
      roles: ['user'],
      twoFactor: false,
    });

    for (const answer of [list, create]) {
      expect(answer.status).toBe(401);
      expect(answer.body.code).toBe('CODE_REQUIRED');
    }
    expect(await usersWithEmail('pending-made@admin-routes.test')).toHaveLength(0);
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

describe('the last active administrator', () => {
  let solo: TestInstance;

  beforeAll(async () => {
    solo = await startInstance();
  });
  afterAll(async () => {
    await solo.stop();
  });

  async function soloAdminId(): Promise<string> {
    const row = await solo.callvault.db
      .selectFrom('users')
      .select('id')
      .where('email_normalized', '=', ADMIN.email)
      .executeTakeFirstOrThrow();
    return row.id;
  }

  it('cannot lose the Administrator role or be disabled', async () => {
    const first = await solo.admin();
    const id = await soloAdminId();

    const demote = await first.patch(`/api/users/${id}`, { roles: ['user'] });
    const disable = await first.patch(`/api/users/${id}`, { status: 'disabled' });

    expect(demote.status).toBe(409);
    expect(demote.body.code).toBe('LAST_ADMINISTRATOR');
    expectHumanMessage(demote.body.fields.roles);
    expect(disable.status).toBe(409);
    expect(disable.body.code).toBe('LAST_ADMINISTRATOR');
    expectHumanMessage(disable.body.fields.status);

    const row = await solo.callvault.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.role_administrator).toBe(1);
    expect(row.status).toBe('active');
    expect((await first.get('/api/users')).status).toBe(200);
  });

  it('does not count an invited or a disabled administrator as a second', async () => {
    const first = await solo.admin();
    const id = await soloAdminId();

    const invited = await first.post('/api/users', {
      email: 'invited-admin@last-admin.test',
      roles: ['administrator'],
      twoFactor: false,
    });
    expect(invited.status).toBe(201);
    const { id: disabledId } = await solo.addActiveUser({
      email: 'disabled-admin@last-admin.test',
      roles: ['administrator'],
    });
    expect(
      (await first.patch(`/api/users/${disabledId}`, { status: 'disabled' })).status,
    ).toBe(200);

    const demote = await first.patch(`/api/users/${id}`, { roles: ['user'] });

    expect(demote.status).toBe(409);
    expect(demote.body.code).toBe('LAST_ADMINISTRATOR');
  });

  it('may lose the role once a second active administrator exists', async () => {
    const id = await soloAdminId();
    const { client: second, id: secondId } = await solo.addActiveUser({
      email: 'second-admin@last-admin.test',
      roles: ['administrator'],
    });

    const demote = await second.patch(`/api/users/${id}`, { roles: ['user'] });
    expect(demote.status).toBe(200);
    expect(demote.body.roles).toEqual(['user']);

    // Now the second is the last one, and the same rule guards them.
    const self = await second.patch(`/api/users/${secondId}`, { roles: ['user'] });
    expect(self.status).toBe(409);
    expect(self.body.code).toBe('LAST_ADMINISTRATOR');
    const disable = await second.patch(`/api/users/${secondId}`, { status: 'disabled' });
    expect(disable.status).toBe(409);

    const restore = await second.patch(`/api/users/${id}`, {
      roles: ['administrator', 'user'],
    });
    expect(restore.status).toBe(200);
  });

  // Two administrators each disabling the other at the same moment: both
  // checks could pass before either write, leaving no administrator.
  it('keeps one administrator when two disable each other at once', async () => {
    const first = await solo.admin();
    const id = await soloAdminId();
    const second = await signInSolo('second-admin');
    const secondId = (
      await solo.callvault.db
        .selectFrom('users')
        .select('id')
        .where('email_normalized', '=', 'second-admin@last-admin.test')
        .executeTakeFirstOrThrow()
    ).id;

    const answers = await Promise.all([
      first.patch(`/api/users/${secondId}`, { status: 'disabled' }),
      second.patch(`/api/users/${id}`, { status: 'disabled' }),
    ]);

    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    for (const answer of answers) expect(answer.status).not.toBe(500);
    const active = await solo.callvault.db
      .selectFrom('users')
      .select('id')
      .where('role_administrator', '=', 1)
      .where('status', '=', 'active')
      .execute();
    expect(active).toHaveLength(1);
  });

  async function signInSolo(local: string): Promise<Client> {
    const client = solo.client();
    const answer = await client.post('/api/sign-in', {
      email: `${local}@last-admin.test`,
      password: PASSWORD,
    });
    expect(answer.body.step).toBe('home');
    return client;
  }
});

describe('the email field', () => {
  const long = `${'a'.repeat(290)}@example.com`;

  it.each([
    ['an array of one', ['one@email-field.test']],
    ['an array of two', ['one@email-field.test', 'two@email-field.test']],
    ['a number', 42],
    ['an object', { address: 'one@email-field.test' }],
    ['null', null],
    ['a boolean', true],
    ['a comma list', 'one@email-field.test, two@email-field.test'],
    ['a semicolon list', 'one@email-field.test;two@email-field.test'],
    ['a display name', 'Ann <one@email-field.test>'],
    ['a header injection', 'one@email-field.test\nBcc: victim@email-field.test'],
    ['a CRLF injection', 'one@email-field.test\r\nBcc: victim@email-field.test'],
    ['empty', ''],
    ['only spaces', '   '],
    ['without a domain', 'ann@'],
    ['without an @', 'ann.email-field.test'],
    ['with two @', 'ann@one@email-field.test'],
    ['300 characters long', long],
    ['missing', undefined],
  ])('refuses %s with a message next to the email field', async (_kind, email) => {
    const users = await count('users');
    const mail = await mailSnapshot();
    const body: Record<string, unknown> = {
      firstName: 'Email',
      lastName: 'Field',
      roles: ['user'],
      twoFactor: false,
    };
    if (email !== undefined) body.email = email;

    const answer = await admin.post('/api/users', body);

    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('VALIDATION');
    expectHumanMessage(answer.body.fields?.email);
    expect(await count('users')).toBe(users);
    expect(await count('outbox')).toBe(mail.outbox);
  });

  it('says how long an address may be when it is too long', async () => {
    const answer = await admin.post('/api/users', {
      email: long,
      roles: ['user'],
      twoFactor: false,
    });

    expect(answer.body.fields.email).toMatch(/254/);
  });

  it('stores an address without the spaces typed around it', async () => {
    const created = await admin.post('/api/users', {
      email: '  spaced@email-field.test  ',
      roles: ['user'],
      twoFactor: false,
    });

    expect(created.status).toBe(201);
    expect(created.body.email).toBe('spaced@email-field.test');
    const mail = await cv.smtp.waitFor('spaced@email-field.test');
    expect(mail.to).toBe('spaced@email-field.test');
  });
});

describe('one account per address, whatever the letter case', () => {
  it('refuses an address that differs only in case, next to the field', async () => {
    await invite('ann@unique.test');
    await cv.smtp.waitFor('ann@unique.test');

    for (const email of ['ANN@unique.test', 'Ann@Unique.Test', ' ann@UNIQUE.test ']) {
      const answer = await admin.post('/api/users', {
        email,
        roles: ['user'],
        twoFactor: false,
      });
      expect([400, 409]).toContain(answer.status);
      expectHumanMessage(answer.body.fields?.email);
    }

    expect(await usersWithEmail('ann@unique.test')).toHaveLength(1);
    await cv.callvault.sender.deliverDue();
    await sleep(500);
    expect(cv.smtp.to('ann@unique.test')).toHaveLength(1);
  });

  it("refuses the administrator's own address in another case", async () => {
    const answer = await admin.post('/api/users', {
      email: ADMIN.email.toUpperCase(),
      roles: ['administrator'],
      twoFactor: false,
    });

    expect([400, 409]).toContain(answer.status);
    expect(answer.body.fields?.email).toBeTypeOf('string');
    expect(await usersWithEmail(ADMIN.email)).toHaveLength(1);
  });

  it('creates one user when one address is added several times at once', async () => {
    const spellings = [
      'race@unique.test',
      'RACE@unique.test',
      'Race@Unique.test',
      'race@UNIQUE.TEST',
      'rAcE@unique.test',
    ];

    const answers = await Promise.all(
      spellings.map((email) =>
        admin.post('/api/users', { email, roles: ['user'], twoFactor: false }),
      ),
    );

    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    for (const answer of answers.filter((a) => a.status !== 201)) {
      expect([400, 409]).toContain(answer.status);
      expect(answer.body.fields?.email).toBeTypeOf('string');
    }
    const [user] = await usersWithEmail('race@unique.test');
    const queued = await cv.callvault.db
      .selectFrom('outbox')
      .select('id')
      .where('user_id', '=', user!.id)
      .execute();
    expect(queued).toHaveLength(1);
  });
});

describe('roles', () => {
  it.each([
    ['none', []],
    ['missing', undefined],
    ['an unknown one', ['root']],
    ['a string, not a list', 'administrator'],
  ])('refuses %s with a message next to the roles', async (kind, roles) => {
    const email = `roles-${kind.replace(/\W+/g, '-')}@roles.test`;
    const body: Record<string, unknown> = { email, twoFactor: false };
    if (roles !== undefined) body.roles = roles;

    const answer = await admin.post('/api/users', body);

    expect(answer.status).toBe(400);
    expectHumanMessage(answer.body.fields?.roles);
    expect(await usersWithEmail(email)).toHaveLength(0);
  });

  it('refuses to take every role away from an existing user', async () => {
    const id = await invite('keep-a-role@roles.test', { roles: ['supervisor'] });
    const before = await userRow(id);

    const answer = await admin.patch(`/api/users/${id}`, { roles: [] });

    expect(answer.status).toBe(400);
    expectHumanMessage(answer.body.fields?.roles);
    expect(await userRow(id)).toEqual(before);
  });
});

describe('names are text, never markup', () => {
  const IMG = '<img src=x onerror=alert(1)>';
  const SCRIPT = '"Bob" </p><script>alert(2)</script>';

  it('stores and returns a name exactly as typed', async () => {
    const created = await admin.post('/api/users', {
      email: 'markup@names.test',
      firstName: IMG,
      lastName: SCRIPT,
      roles: ['user'],
      twoFactor: false,
    });

    expect(created.status).toBe(201);
    expect(created.headers.get('content-type')).toMatch(/^application\/json/);
    expect(created.body.firstName).toBe(IMG);
    expect(created.body.lastName).toBe(SCRIPT);

    const shown = await admin.get(`/api/users/${created.body.id}`);
    expect(shown.body.firstName).toBe(IMG);
    expect(shown.body.lastName).toBe(SCRIPT);
    const row = await userRow(created.body.id);
    expect(row.first_name).toBe(IMG);
    expect(row.last_name).toBe(SCRIPT);
  });

  it("escapes the inviter's name in the invitation's HTML", async () => {
    const { client: marked } = await cv.addActiveUser({
      email: 'marked-admin@names.test',
      firstName: IMG,
      lastName: SCRIPT,
      roles: ['administrator'],
    });

    const created = await marked.post('/api/users', {
      email: 'invited-by-markup@names.test',
      roles: ['user'],
      twoFactor: false,
    });
    expect(created.status).toBe(201);
    const mail = await cv.smtp.waitFor('invited-by-markup@names.test');

    expect(mail.html).toContain('&lt;img src=x');
    expect(mail.html).not.toContain('<img src=x');
    expect(mail.html).not.toContain('<script>alert(2)');
    expect(mail.html).toContain('&lt;script&gt;alert(2)');
    // The plain-text part is text already: the name appears as typed.
    expect(mail.text).toContain(IMG);
  });

  it('refuses control characters in a name, which would corrupt logs', async () => {
    const answer = await admin.post('/api/users', {
      email: 'control@names.test',
      firstName: 'Ann\n{"event":"forged"}',
      roles: ['user'],
      twoFactor: false,
    });

    expect(answer.status).toBe(400);
    expectHumanMessage(answer.body.fields?.firstName);
  });
});

describe('the Users list', () => {
  it('finds users by name or email, whatever the letter case', async () => {
    const id = await invite('zq.search@list.test', {
      firstName: 'Zephyrine',
      lastName: 'Quillfeather',
    });

    for (const search of ['zEPHYRINE', 'quillFEATHER', 'ZQ.SEARCH@', 'zephyrine quill']) {
      const page = await admin.get(`/api/users?search=${encodeURIComponent(search)}`);
      expect(page.status).toBe(200);
      expect(page.body.users.map((u: { id: string }) => u.id), search).toEqual([id]);
    }
  });

  it('matches % and _ literally, not as wildcards', async () => {
    const percent = await invite('percent@list.test', { lastName: 'Hundred%Sure' });
    await invite('percent-decoy@list.test', { lastName: 'HundredXSure' });
    const under = await invite('under_score@list.test');
    await invite('underXscore@list.test');

    const search = (text: string) =>
      admin.get(`/api/users?search=${encodeURIComponent(text)}`);
    const byPercent = await search('hundred%sure');
    const byUnder = await search('under_score');

    expect(byPercent.body.users.map((u: { id: string }) => u.id)).toEqual([percent]);
    expect(byUnder.body.users.map((u: { id: string }) => u.id)).toEqual([under]);
  });

  it('pages through every user exactly once', async () => {
    const made: string[] = [];
    // Added out of order, so that paging cannot rely on creation order.
    for (const n of [7, 2, 11, 0, 5, 9, 1, 10, 3, 8, 6, 4]) {
      made.push(await invite(`page-${String(n).padStart(2, '0')}@paging.test`));
    }

    const seen = await collectPages('paging.test', 5);

    expect(seen.pages).toBe(3);
    expect(seen.ids).toHaveLength(12);
    expect(new Set(seen.ids).size).toBe(12);
    expect([...seen.ids].sort()).toEqual([...made].sort());
    expect(seen.emails).toEqual([...seen.emails].sort());
  });

  it('pages through the whole list without a search, each user once', async () => {
    const seen = await collectPages('', 7);

    expect(new Set(seen.ids).size).toBe(seen.ids.length);
    expect(seen.ids).toHaveLength(await count('users'));
  });

  it('refuses a page size out of bounds with 400, not an error', async () => {
    for (const query of ['limit=0', 'limit=101', 'limit=abc', `search=${'x'.repeat(201)}`]) {
      const answer = await admin.get(`/api/users?${query}`);
      expect(answer.status, query).toBe(400);
    }
  });

  it('never sends a password hash', async () => {
    const page = await admin.get('/api/users?limit=100');
    const one = await admin.get(`/api/users/${page.body.users[0].id}`);

    for (const user of [...page.body.users, one.body]) {
      expect(Object.keys(user).filter((key) => /password|hash/i.test(key))).toEqual([]);
      for (const value of Object.values(user)) {
        expect(String(value)).not.toMatch(/^\$argon2/);
      }
    }
  });

  async function collectPages(search: string, limit: number) {
    const ids: string[] = [];
    const emails: string[] = [];
    let after: string | null = null;
    let pages = 0;

    do {
      const query = new URLSearchParams({ search, limit: String(limit) });
      if (after) query.set('after', after);
      const page = await admin.get(`/api/users?${query}`);
      expect(page.status).toBe(200);
      expect(page.body.users.length).toBeGreaterThan(0);

      for (const user of page.body.users) {
        ids.push(user.id);
        emails.push(user.email.toLowerCase());
      }
      after = page.body.nextCursor;
      pages += 1;
      expect(pages).toBeLessThan(1000);
    } while (after);

    return { ids, emails, pages };
  }
});

describe('editing a user', () => {
  it('changes the names, and search follows', async () => {
    const id = await invite('rename@edit.test', {
      firstName: 'Oldfirst',
      lastName: 'Oldlast',
    });

    const answer = await admin.patch(`/api/users/${id}`, {
      firstName: 'Newfirst',
      lastName: 'Newlast',
    });

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ firstName: 'Newfirst', lastName: 'Newlast' });
    const shown = await admin.get(`/api/users/${id}`);
    expect(shown.body).toMatchObject({ firstName: 'Newfirst', lastName: 'Newlast' });
    const found = await admin.get('/api/users?search=newfirst');
    expect(found.body.users.map((u: { id: string }) => u.id)).toEqual([id]);
    expect((await admin.get('/api/users?search=oldfirst')).body.users).toEqual([]);
  });

  it('answers 404 for a user who does not exist', async () => {
    const answer = await admin.patch('/api/users/no-such-user', { firstName: 'X' });

    expect(answer.status).toBe(404);
    expect(answer.body.code).toBe('USER_NOT_FOUND');
  });
});

describe('two-factor switched on and off later', () => {
  const email = 'later@two-factor.test';
  let id: string;
  let session: Client;

  beforeAll(async () => {
    ({ id, client: session } = await cv.addActiveUser({ email, twoFactor: false }));
  });

  it('sends only a notice when ticked, no code, and ends the session', async () => {
    const mail = await mailSnapshot();
    const toUser = cv.smtp.to(email).length;

    const answer = await admin.patch(`/api/users/${id}`, { twoFactor: true });

    expect(answer.status).toBe(200);
    expect(answer.body.twoFactor).toBe(true);
    // ASVS 2.5.5: the user is told their factor changed; the code itself
    // comes only at their next sign-in.
    const notice = await cv.smtp.waitFor(email, toUser + 1);
    expect(notice.subject).toMatch(/two-factor sign-in was turned on/i);
    expect(notice.text).not.toMatch(/\d{6}|#/);
    await expectNoMailSince({
      outbox: mail.outbox + 1,
      received: mail.received + 1,
    });
    expect(cv.smtp.to(email)).toHaveLength(toUser + 1);
    expect((await session.get('/api/me')).status).toBe(401);
  });

  it('asks for a code at the next sign-in, and the code lets them in', async () => {
    const toUser = cv.smtp.to(email).length;
    const browser = cv.client();

    const step = await browser.post('/api/sign-in', { email, password: PASSWORD });

    expect(step.status).toBe(200);
    expect(step.body.step).toBe('code');
    expect((await browser.get('/api/me')).body.code).toBe('CODE_REQUIRED');
    const mail = await cv.smtp.waitFor(email, toUser + 1);
    const done = await browser.post('/api/sign-in/code', { code: codeIn(mail) });
    expect(done.body.step).toBe('home');
    expect((await browser.get('/api/me')).status).toBe(200);
  });

  it('removes the code step when unticked; the sign-in sends nothing', async () => {
    const answer = await admin.patch(`/api/users/${id}`, { twoFactor: false });
    expect(answer.body.twoFactor).toBe(false);
    const mail = await mailSnapshot();
    expect(cv.smtp.to(email).at(-1)?.subject).toMatch(/turned off/);
    const browser = cv.client();

    const step = await browser.post('/api/sign-in', { email, password: PASSWORD });

    expect(step.body.step).toBe('home');
    expect((await browser.get('/api/me')).status).toBe(200);
    await expectNoMailSince(mail);
  });
});
