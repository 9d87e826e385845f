/**
 * Sign-in over HTTP: the email's letter case, only JSON accepted, broken
 * JSON answered, never a crash. Enumeration, open redirects and requests
 * from other sites are attacked in test/security.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../support/client.ts';
import { ADMIN, startInstance, type TestInstance } from '../support/instance.ts';

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

  // PostgreSQL text cannot hold NUL: a query that sends one fails outright.
  it('answers a NUL character in a search or a field with 400', async () => {
    const answers = [
      await admin.get('/api/users?search=a%00b'),
      await admin.get('/api/audit-events?user=a%00b'),
      await admin.get('/api/audit-events.csv?user=a%00b'),
      await cv.client().post('/api/sign-in', {
        email: `${ACTIVE}\u0000`,
        password: PASSWORD,
      }),
    ];

    expect(answers.map((answer) => answer.status)).toEqual([400, 400, 400, 400]);
    expect(answers[0]!.body.message).toMatch(/NUL/);
  });

  it('never logged a fault while answering all of this', () => {
    const faults = cv.logs.filter((line) => /"level":(50|60)/.test(line));

    expect(faults).toEqual([]);
    expect(ADMIN.email).toBeTruthy();
  });
});
