/**
 * Requests another site makes, attacked over HTTP: a foreign Origin or
 * Sec-Fetch-Site is refused before anything changes, and so is a request
 * whose Host and Origin both name another site (DNS rebinding).
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../support/client.ts';
import { ADMIN, startInstance, type TestInstance } from '../support/instance.ts';
import { auditCount } from '../support/journey.ts';

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

function userRow(id: string) {
  return cv.callvault.db
    .selectFrom('users')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

async function outboxCount() {
  const rows = await cv.callvault.db.selectFrom('outbox').select('id').execute();
  return rows.length;
}

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

describe('a request whose Host and Origin both name another site', () => {
  it('is refused, as DNS rebinding would send it', async () => {
    const port = new URL(cv.url).port;
    const rebound = `evil.test:${port}`;

    // fetch drops a Host header it is given, so node:http sends this one.
    const answer = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const request = http.request(`${cv.url}/api/sign-in`, {
        method: 'POST',
        headers: {
          host: rebound,
          origin: `http://${rebound}`,
          'content-type': 'application/json',
        },
      });
      request.on('response', (response) => {
        response.resume();
        resolve(response);
      });
      request.on('error', reject);
      request.end(JSON.stringify(ADMIN));
    });

    expect(answer.statusCode).toBe(403);
    expect(answer.headers['set-cookie']).toBeUndefined();
  });
});

describe('My account', () => {
  const NEW_PASSWORD = 'seven otters paddle past the mill';

  /** A new active user, signed in in one browser. */
  async function newUser() {
    const email = 'account-cross-origin@callvault.test';
    const { client, id } = await cv.addActiveUser({ email });
    return { client, id, email };
  }

  /** One more browser signed in as a user without two-factor. */
  async function signIn(email: string, password = PASSWORD): Promise<Client> {
    const client = cv.client();
    const answer = await client.post('/api/sign-in', { email, password });
    expect(answer.body.step).toBe('home');
    return client;
  }

  async function isSignedIn(client: Client): Promise<boolean> {
    return (await client.get('/api/me')).status === 200;
  }

  function endSession(client: Client, id: string, headers?: Record<string, string>) {
    return client.request(
      'DELETE',
      `/api/account/sessions/${encodeURIComponent(id)}`,
      undefined,
      headers,
    );
  }

  it('refuses requests another site makes, and changes nothing', async () => {
    const { client, id, email } = await newUser();
    const other = await signIn(email);
    const [, target] = (await client.get('/api/account/sessions')).body.sessions;
    const foreign: Array<Record<string, string>> = [
      { origin: 'https://evil.test' },
      { 'sec-fetch-site': 'cross-site' },
    ];

    for (const headers of foreign) {
      const answers = [
        await client.request('POST', '/api/account/password', {
          currentPassword: PASSWORD,
          newPassword: NEW_PASSWORD,
          confirmPassword: NEW_PASSWORD,
        }, headers),
        await client.post('/api/account/sessions/sign-out-others', {}, headers),
        await endSession(client, target.id, headers),
      ];
      for (const answer of answers) {
        expect(answer.status).toBe(403);
        expect(answer.body.code).toBe('CROSS_ORIGIN');
      }
    }

    expect(await isSignedIn(other)).toBe(true);
    expect(await auditCount(cv, id, 'password.changed')).toBe(0);
    await signIn(email, PASSWORD);
  });
});
