/**
 * Settings > Users over HTTP against a real Callvault: the role check on
 * every admin route, the last administrator, the email field, uniqueness,
 * roles, search and paging, and two-factor switched on and off later.
 * Mass assignment and markup in names are attacked in test/security.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../support/client.ts';
import { ADMIN, startInstance, type TestInstance } from '../support/instance.ts';
import { PASSWORD } from '../support/journey.ts';
import { codeIn } from '../support/smtp.ts';
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
  sleep,
  userRow,
  usersWithEmail,
  count,
  mailSnapshot,
  expectNoMailSince,
  invite,
  expectHumanMessage,
} = userAdministration(
  () => cv,
  () => admin,
);

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
