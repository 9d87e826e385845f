/**
 * Sign-in attacked over HTTP: one answer for every kind of failure, in
 * comparable time; redirects that stay on this origin; requests from other
 * sites refused; only JSON accepted; broken JSON answered, never a crash.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Answer, Client } from '../support/client.ts';
import { ADMIN, startInstance, type TestInstance } from '../support/instance.ts';
import { codeIn } from '../support/smtp.ts';

const PASSWORD = 'a long and personal passphrase';
const ACTIVE = 'active@sign-in.test';
const DISABLED = 'disabled@sign-in.test';
const INVITED = 'invited@sign-in.test';
const CODED = 'coded@sign-in.test';

let cv: TestInstance;
let admin: Client;
let activeId: string;

beforeAll(async () => {
  cv = await startInstance();
  admin = await cv.admin();

  ({ id: activeId } = await cv.addActiveUser({ email: ACTIVE }));
  const { id: disabledId } = await cv.addActiveUser({ email: DISABLED });
  await admin.patch(`/api/users/${disabledId}`, { status: 'disabled' });
  await admin.post('/api/users', { email: INVITED, roles: ['user'], twoFactor: false });
  await cv.addActiveUser({ email: CODED, twoFactor: true });
});
afterAll(async () => {
  await cv.stop();
});

/** A GET whose path goes to the server exactly as written. */
function rawGet(path: string): Promise<{ status: number; location?: string }> {
  const url = new URL(cv.url);
  return new Promise((resolve, reject) => {
    http
      .get({ host: url.hostname, port: url.port, path }, (response) => {
        response.resume();
        resolve({
          status: response.statusCode ?? 0,
          location: response.headers.location,
        });
      })
      .on('error', reject);
  });
}

function userRow(id: string) {
  return cv.callvault.db
    .selectFrom('users')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

function signIn(email: string, password: string, extra: Record<string, unknown> = {}) {
  return cv.client().post('/api/sign-in', { email, password, ...extra });
}

/** The parts of an answer an attacker can compare. */
function visible(answer: Answer) {
  return {
    status: answer.status,
    body: answer.body,
    cookies: answer.headers.getSetCookie(),
    retryAfter: answer.headers.get('retry-after'),
  };
}

describe('one answer for every failed sign-in', () => {
  it('answers unknown, disabled, invited and wrong-password alike', async () => {
    const unknown = visible(await signIn('nobody@sign-in.test', PASSWORD));
    const disabled = visible(await signIn(DISABLED, PASSWORD));
    const invited = visible(await signIn(INVITED, PASSWORD));
    const wrong = visible(await signIn(ACTIVE, 'not the right passphrase'));

    expect(unknown.status).toBe(401);
    expect(unknown.body.code).toBe('SIGN_IN_FAILED');
    expect(unknown.cookies).toEqual([]);
    expect(disabled).toEqual(unknown);
    expect(invited).toEqual(unknown);
    expect(wrong).toEqual(unknown);
  });

  // The disabled user's password is right: only the answer must not say so.
  it('gives a disabled user with the right password no session', async () => {
    const browser = cv.client();

    await browser.post('/api/sign-in', { email: DISABLED, password: PASSWORD });

    expect(await browser.cookie('callvault_session')).toBeUndefined();
    expect((await browser.get('/api/me')).status).toBe(401);
  });

  it('lets an invited user in by no password, not even an empty one', async () => {
    for (const password of ['', ' ', 'null', 'undefined']) {
      const answer = await signIn(INVITED, password);
      expect(answer.status).toBe(401);
      expect(answer.body.code).toBe('SIGN_IN_FAILED');
    }
  });

  it('takes about as long for an unknown email as for a wrong password', async () => {
    const unknown: number[] = [];
    const wrong: number[] = [];
    // Users of their own, one wrong password each, and a success first to
    // clear this client's streak: every try below is then a real password
    // check, never a quick refusal of the throttle (auth/throttle.ts).
    const rounds = 9;
    const users: string[] = [];
    for (let round = 0; round < rounds; round += 1) {
      users.push(`timing-${round}@sign-in.test`);
      await cv.addActiveUser({ email: users[round]!, password: PASSWORD });
    }
    expect((await signIn(ACTIVE, PASSWORD)).status).toBe(200);

    // Interleaved, so that a slow moment of the machine hits both alike.
    for (let round = 0; round < rounds; round += 1) {
      unknown.push(await timed(() => signIn(`ghost-${round}@sign-in.test`, PASSWORD)));
      wrong.push(await timed(() => signIn(users[round]!, `wrong passphrase ${round}`)));
    }

    const ratio = median(unknown) / median(wrong);
    const times = `unknown ${median(unknown)} ms, wrong ${median(wrong)} ms`;
    expect(ratio, times).toBeGreaterThan(0.5);
    expect(ratio, times).toBeLessThan(2);
  });

  it('matches the email whatever its letter case', async () => {
    const answer = await signIn(ACTIVE.toUpperCase(), PASSWORD);

    expect(answer.status).toBe(200);
    expect(answer.body.step).toBe('home');
  });

  it('does not take a password that differs only in letter case', async () => {
    const answer = await signIn(ACTIVE, PASSWORD.toUpperCase());

    expect(answer.status).toBe(401);
  });

  async function timed(action: () => Promise<Answer>): Promise<number> {
    const start = performance.now();
    const answer = await action();
    expect(answer.status).toBe(401);
    return performance.now() - start;
  }

  function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)]!;
  }
});

describe('redirects after sign-in stay on this origin', () => {
  it.each([
    'https://evil.test',
    '//evil.test',
    '/\\evil.test',
    'javascript:alert(1)',
    '/api/users',
    '/..//evil.test',
    '/%2e%2e//evil.test',
    '/\t/evil.test',
  ])('sends next=%j to Home', async (next) => {
    const answer = await signIn(ACTIVE, PASSWORD, { next });

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ step: 'home', redirect: '/' });
  });

  it('keeps a page of this portal, with its query', async () => {
    const answer = await signIn(ACTIVE, PASSWORD, { next: '/settings/users?x=1' });

    expect(answer.body).toEqual({ step: 'home', redirect: '/settings/users?x=1' });
  });

  it('carries only a safe next through the security code step', async () => {
    const browser = cv.client();
    const received = cv.smtp.to(CODED).length;

    const step = await browser.post('/api/sign-in', {
      email: CODED,
      password: PASSWORD,
      next: '//evil.test',
    });
    expect(step.body.step).toBe('code');
    expect(step.body.redirect).toMatch(/^\/sign-in\/code(\?|$)/);
    expect(step.body.redirect).not.toContain('evil.test');

    const mail = await cv.smtp.waitFor(CODED, received + 1);
    const done = await browser.post(
      `/api/sign-in/code?next=${encodeURIComponent('https://evil.test/x')}`,
      { code: codeIn(mail) },
    );
    expect(done.body).toEqual({ step: 'home', redirect: '/' });
  });

  it('sends a stranger who opens a page to sign-in with that page kept', async () => {
    const answer = await cv.client().get('/settings/users?x=1');

    expect(answer.status).toBe(303);
    const location = answer.headers.get('location')!;
    expect(location).toMatch(/^\/sign-in\?next=/);
    expect(new URL(location, cv.url).searchParams.get('next')).toBe('/settings/users?x=1');
  });

  // A request line of "//evil.test/x" is a path on this server; echoing it
  // into a Location header would send the browser to evil.test.
  it('never redirects a page request to another host', async () => {
    for (const path of ['//evil.test/x', '/\\evil.test/x', '//evil.test/%2e%2e']) {
      const answer = await rawGet(path);

      expect(answer.status, path).toBeLessThan(500);
      if (answer.location) {
        expect(answer.location, path).not.toMatch(/^\/[\\/]/);
        expect(new URL(answer.location, cv.url).origin, path).toBe(
          new URL(cv.url).origin,
        );
      }
    }
  });
});

describe('requests from another origin', () => {
  const CROSS = [
    ['Origin: http://evil.test', { origin: 'http://evil.test' }],
    ['Origin: null', { origin: 'null' }],
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site', { 'sec-fetch-site': 'same-site' }],
    ['a look-alike Origin', { origin: 'http://127.0.0.1.evil.test' }],
  ] as const;

  it.each(CROSS)('refuses a sign-in with %s and sets no cookie', async (_, headers) => {
    const browser = cv.client();
    const audits = await auditCount();

    const answer = await browser.post(
      '/api/sign-in',
      { email: ACTIVE, password: PASSWORD },
      { ...headers },
    );

    expect(answer.status).toBe(403);
    expect(answer.body.code).toBe('CROSS_ORIGIN');
    expect(answer.headers.getSetCookie()).toEqual([]);
    expect(await auditCount()).toBe(audits);
  });

  it.each(CROSS)('refuses adding a user with %s, and adds no one', async (_, headers) => {
    const email = `cross-${Math.random().toString(36).slice(2)}@sign-in.test`;
    const outbox = await outboxCount();

    const answer = await admin.post(
      '/api/users',
      { email, roles: ['administrator'], twoFactor: false },
      { ...headers },
    );

    expect(answer.status).toBe(403);
    expect(answer.body.code).toBe('CROSS_ORIGIN');
    const rows = await cv.callvault.db
      .selectFrom('users')
      .select('id')
      .where('email_normalized', '=', email)
      .execute();
    expect(rows).toHaveLength(0);
    expect(await outboxCount()).toBe(outbox);
  });

  it.each(CROSS)('refuses editing a user with %s, and changes nothing', async (_, headers) => {
    const before = await userRow(activeId);

    const answer = await admin.patch(
      `/api/users/${activeId}`,
      { roles: ['administrator'], firstName: 'Forged' },
      { ...headers },
    );

    expect(answer.status).toBe(403);
    expect(answer.body.code).toBe('CROSS_ORIGIN');
    expect(await userRow(activeId)).toEqual(before);
  });

  it('refuses a cross-site sign-out, which would end the session', async () => {
    const browser = cv.client();
    await browser.post('/api/sign-in', { email: ACTIVE, password: PASSWORD });

    const answer = await browser.post('/api/sign-out', {}, { origin: 'http://evil.test' });

    expect(answer.status).toBe(403);
    expect((await browser.get('/api/me')).status).toBe(200);
  });

  it('accepts the same request from this origin', async () => {
    const answer = await admin.patch(
      `/api/users/${activeId}`,
      { firstName: 'Same' },
      { 'sec-fetch-site': 'same-origin' },
    );

    expect(answer.status).toBe(200);
  });

  async function auditCount() {
    const rows = await cv.callvault.db.selectFrom('audit_events').select('id').execute();
    return rows.length;
  }
});

async function outboxCount() {
  const rows = await cv.callvault.db.selectFrom('outbox').select('id').execute();
  return rows.length;
}

describe('only JSON is accepted', () => {
  // A cross-site HTML form can post these three types without a preflight;
  // refusing them shuts that door even where Origin checks fall short.
  it('refuses a form post to sign-in with 415', async () => {
    const browser = cv.client();

    const answer = await browser.post(
      '/api/sign-in',
      `email=${encodeURIComponent(ACTIVE)}&password=${encodeURIComponent(PASSWORD)}`,
      { 'content-type': 'application/x-www-form-urlencoded' },
    );

    expect(answer.status).toBe(415);
    expect(answer.body.code).toBe('UNSUPPORTED_MEDIA');
    expect(answer.headers.getSetCookie()).toEqual([]);
  });

  it('refuses a form post that adds a user with 415', async () => {
    const outbox = await outboxCount();

    const answer = await admin.post(
      '/api/users',
      'email=form%40sign-in.test&roles=administrator&twoFactor=false',
      { 'content-type': 'application/x-www-form-urlencoded' },
    );

    expect(answer.status).toBe(415);
    expect(await outboxCount()).toBe(outbox);
  });

  it('refuses a multipart form with 415', async () => {
    const answer = await cv.client().post(
      '/api/sign-in',
      `--x\r\nContent-Disposition: form-data; name="email"\r\n\r\n${ACTIVE}\r\n--x--\r\n`,
      { 'content-type': 'multipart/form-data; boundary=x' },
    );

    expect(answer.status).toBe(415);
  });

  it('refuses JSON sent as text/plain with 415', async () => {
    const outbox = await outboxCount();

    const signIn = await cv.client().post(
      '/api/sign-in',
      JSON.stringify({ email: ACTIVE, password: PASSWORD }),
      { 'content-type': 'text/plain' },
    );
    const create = await admin.post(
      '/api/users',
      JSON.stringify({ email: 'plain@sign-in.test', roles: ['user'], twoFactor: false }),
      { 'content-type': 'text/plain;charset=UTF-8' },
    );

    expect(signIn.status).toBe(415);
    expect(signIn.headers.getSetCookie()).toEqual([]);
    expect(create.status).toBe(415);
    expect(await outboxCount()).toBe(outbox);
  });
});

describe('broken requests get 400 with a message, never 500', () => {
  it.each([
    ['truncated JSON', '{"email":'],
    ['a bare brace', '{'],
    ['not JSON at all', 'hello'],
    ['JSON null', 'null'],
    ['a JSON array', '[]'],
    ['a JSON string', '"admin@callvault.test"'],
    ['a JSON number', '42'],
    ['an empty body', ''],
    ['a prototype key', '{"__proto__":{"admin":true},"email":"a@b.c","password":"x"}'],
    ['a constructor key', '{"constructor":{"prototype":{"admin":true}}}'],
    ['a password that is a number', '{"email":"a@b.c","password":123456789012}'],
    ['an email that is an object', '{"email":{"$ne":null},"password":"x"}'],
    ['a very long password', JSON.stringify({ email: ACTIVE, password: 'x'.repeat(5000) })],
  ])('answers %s sent to sign-in', async (_kind, body) => {
    const answer = await cv.client().post('/api/sign-in', body, {
      'content-type': 'application/json',
    });

    expect([400, 401]).toContain(answer.status);
    expect(typeof answer.body.message).toBe('string');
    expect(answer.body.message.length).toBeGreaterThan(5);
    expect(answer.headers.getSetCookie()).toEqual([]);
  });

  it('answers a body over the size limit with 400 or 413, not a crash', async () => {
    const answer = await admin.post(
      '/api/users',
      JSON.stringify({ email: 'big@sign-in.test', firstName: 'x'.repeat(200_000) }),
    );

    expect([400, 413]).toContain(answer.status);
    expect(typeof answer.body.message).toBe('string');
  });

  it('answers broken JSON sent to the admin routes', async () => {
    for (const [method, path] of [
      ['POST', '/api/users'],
      ['PATCH', `/api/users/${activeId}`],
      ['POST', `/api/users/${activeId}/invitation`],
    ] as const) {
      const answer = await admin.request(method, path, '{"firstName":', {
        'content-type': 'application/json',
      });
      expect(answer.status, path).toBe(400);
      expect(typeof answer.body.message).toBe('string');
    }
  });

  it('answers an odd user id with 404, not an error', async () => {
    for (const id of ['%00', "1' or '1'='1", '..%2F..%2Fetc', '%F0%9F%92%A9']) {
      const answer = await admin.get(`/api/users/${id}`);
      expect(answer.status, id).toBe(404);
    }
    // Too long for a URL at all: refused before any route runs.
    const long = await admin.get(`/api/users/${'x'.repeat(2000)}`);
    expect([404, 414]).toContain(long.status);
  });

  it('never logged a fault while answering all of this', () => {
    const faults = cv.logs.filter((line) => /"level":(50|60)/.test(line));

    expect(faults).toEqual([]);
    expect(ADMIN.email).toBeTruthy();
  });
});
