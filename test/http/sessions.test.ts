/**
 * The session token: 256 random bits in a locked-down cookie, stored only
 * as a hash, new at every sign-in, ended by idleness and by age. Sessions
 * surviving a security change are attacked in test/security.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE } from '../../src/server/auth/context.ts';
import type { Client } from '../support/client.ts';
import { ADMIN, startInstance, type TestInstance } from '../support/instance.ts';
import {
  PASSWORD,
  placesHolding,
  rowsOf,
} from '../support/journey.ts';

let cv: TestInstance;
beforeAll(async () => {
  cv = await startInstance();
});
afterAll(async () => {
  await cv.stop();
});

/** The attributes of one Set-Cookie header, names lower-cased. */
function attributesOf(setCookie: string): Map<string, string> {
  const [, ...parts] = setCookie.split(';').map((part) => part.trim());
  return new Map(
    parts.map((part) => {
      const [name = '', value = ''] = part.split('=');
      return [name.toLowerCase(), value];
    }),
  );
}

function sessionCookieIn(headers: Headers): string {
  const header = headers
    .getSetCookie()
    .find((cookie) => cookie.startsWith('callvault_session='));
  if (!header) throw new Error('no session cookie was set');
  return header;
}

async function expectSignedOut(client: Client): Promise<void> {
  const me = await client.get('/api/me');
  expect(me.status).toBe(401);
  expect(me.body.code).toBe('SIGN_IN_REQUIRED');
}

describe('the session cookie', () => {
  it('is HttpOnly, SameSite=Lax, Path=/ and not Secure over http', async () => {
    const answer = await cv.client().post('/api/sign-in', ADMIN);
    const flags = attributesOf(sessionCookieIn(answer.headers));

    expect(flags.has('httponly')).toBe(true);
    expect(flags.get('samesite')).toBe('Lax');
    expect(flags.get('path')).toBe('/');
    expect(flags.has('secure')).toBe(false);
    expect(flags.get('max-age')).toBe(String(12 * 3600));
  });

  it('holds 256 random bits, kept in the database only as a SHA-256', async () => {
    const answer = await cv.client().post('/api/sign-in', ADMIN);
    const token = sessionCookieIn(answer.headers).split(';')[0]!.split('=')[1]!;

    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);

    const digest = crypto.createHash('sha256').update(token).digest('hex');
    const stored = await cv.callvault.db
      .selectFrom('sessions')
      .select('id')
      .where('token_hash', '=', digest)
      .execute();
    expect(stored).toHaveLength(1);
    expect(await placesHolding(cv, token)).toEqual([]);
    expect(cv.logs.join('\n')).not.toContain(token);
  });

  it('gets a new token at every sign-in, even in a signed-in browser', async () => {
    const email = 'new-token@callvault.test';
    const { client, id } = await cv.addActiveUser({ email });
    const first = await client.cookie('callvault_session');

    const again = await client.post('/api/sign-in', { email, password: PASSWORD });
    expect(again.body.step).toBe('home');
    const second = await client.cookie('callvault_session');

    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    expect(await rowsOf(cv, 'sessions', id)).toBe(2);
  });
});

describe('under an https PUBLIC_URL', () => {
  let secure: TestInstance;
  beforeAll(async () => {
    secure = await startInstance({ PUBLIC_URL: 'https://callvault.test' });
  });
  afterAll(async () => {
    await secure.stop();
  });

  it('marks the session cookie Secure', async () => {
    // A cookie jar would rightly drop a Secure cookie sent over http, so
    // the header is read straight from fetch.
    const answer = await fetch(`${secure.url}/api/sign-in`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        origin: 'https://callvault.test',
      },
      body: JSON.stringify(ADMIN),
    });
    expect(answer.status).toBe(200);
    const flags = attributesOf(sessionCookieIn(answer.headers));

    expect(flags.has('secure')).toBe(true);
    expect(flags.has('httponly')).toBe(true);
    expect(flags.get('samesite')).toBe('Lax');
  });
});

describe('a session with the default lifetimes', () => {
  it('ends after 30 minutes without a request', async () => {
    const email = 'idle@callvault.test';
    const { client, id } = await cv.addActiveUser({ email });

    cv.advance(31 * MINUTE);

    await expectSignedOut(client);
    expect(await rowsOf(cv, 'sessions', id)).toBe(0);
  });

  it('stays alive through two hours of a request every 20 minutes', async () => {
    const { client } = await cv.addActiveUser({ email: 'busy@callvault.test' });

    for (let minutes = 20; minutes <= 120; minutes += 20) {
      cv.advance(20 * MINUTE);
      expect((await client.get('/api/me')).status).toBe(200);
    }
  });

  it('ends 12 hours after sign-in however active it is', async () => {
    const { client, id } = await cv.addActiveUser({ email: 'old@callvault.test' });

    for (let minutes = 20; minutes < 12 * 60; minutes += 20) {
      cv.advance(20 * MINUTE);
      const me = await client.get('/api/me');
      expect(me.status, `after ${minutes} minutes`).toBe(200);
    }
    cv.advance(20 * MINUTE);

    await expectSignedOut(client);
    expect(await rowsOf(cv, 'sessions', id)).toBe(0);
  });
});

describe('with SESSION_IDLE_MINUTES=5 and SESSION_MAX_HOURS=1', () => {
  let short: TestInstance;
  beforeAll(async () => {
    short = await startInstance({
      SESSION_IDLE_MINUTES: '5',
      SESSION_MAX_HOURS: '1',
    });
  });
  afterAll(async () => {
    await short.stop();
  });

  it('ends a session after 5 idle minutes', async () => {
    const email = 'short-idle@callvault.test';
    const { client } = await short.addActiveUser({ email });

    short.advance(4 * MINUTE);
    expect((await client.get('/api/me')).status).toBe(200);
    short.advance(5 * MINUTE + 1000);

    await expectSignedOut(client);
  });

  it('ends a session after 1 hour however active, as its cookie says', async () => {
    const email = 'short-max@callvault.test';
    await short.addActiveUser({ email });
    const client = short.client();
    const answer = await client.post('/api/sign-in', { email, password: PASSWORD });
    const flags = attributesOf(sessionCookieIn(answer.headers));
    expect(flags.get('max-age')).toBe('3600');

    for (let minutes = 4; minutes < 60; minutes += 4) {
      short.advance(4 * MINUTE);
      expect((await client.get('/api/me')).status).toBe(200);
    }
    short.advance(4 * MINUTE);

    await expectSignedOut(client);
  });
});

describe('with SESSION_IDLE_MINUTES=1', () => {
  let brisk: TestInstance;
  beforeAll(async () => {
    brisk = await startInstance({ SESSION_IDLE_MINUTES: '1' });
  });
  afterAll(async () => {
    await brisk.stop();
  });

  it('keeps a session alive through a request every 40 seconds', async () => {
    const { client } = await brisk.addActiveUser({ email: 'brisk@callvault.test' });

    for (let seconds = 40; seconds <= 5 * 60; seconds += 40) {
      brisk.advance(40_000);
      const me = await client.get('/api/me');
      expect(me.status, `after ${seconds} seconds`).toBe(200);
    }

    brisk.advance(MINUTE + 1000);
    await expectSignedOut(client);
  });
});
