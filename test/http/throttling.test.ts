/**
 * Throttling without locking owners out: failed sign-ins are counted per
 * address typed and per client address, in the database; delays grow;
 * a browser the owner signed in on before is not held back by others'
 * failures. Forwarded headers are attacked in test/security.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT_FAILURES, delayAfter } from '../../src/server/auth/throttle.ts';
import type { Client } from '../support/client.ts';
import { startInstance, type TestInstance } from '../support/instance.ts';
import { PASSWORD } from '../support/journey.ts';

const MINUTE = 60_000;

let cv: TestInstance;
beforeAll(async () => {
  cv = await startInstance();
});
afterAll(async () => {
  await cv?.stop();
});

function signIn(client: Client, email: string, password: string) {
  return client.post('/api/sign-in', { email, password });
}

/**
 * Fails `times` sign-ins for `email`, each from a fresh browser; past the
 * free tries, a refusal may be the throttle's.
 */
async function fail(email: string, times: number) {
  for (let i = 0; i < times; i += 1) {
    const answer = await signIn(cv.client(), email, `wrong ${i}`);
    expect([401, 429], `failure ${i + 1}`).toContain(answer.status);
  }
}

describe('the delay policy', () => {
  it('allows five free tries, then doubles the wait up to 15 minutes', () => {
    const waits = [5, 6, 7, 8, 20, 99].map((n) => delayAfter(n, ACCOUNT_FAILURES));

    expect(waits).toEqual([0, 2000, 4000, 8000, 15 * MINUTE, 15 * MINUTE]);
  });
});

describe('failed sign-ins on one address', () => {
  it('answer 429 with Retry-After and words a person reads after five', async () => {
    const email = 'delayed@throttle.test';
    await cv.addActiveUser({ email });
    await fail(email, 6);

    // Even the right password waits: the answer must not tell it apart.
    const held = await signIn(cv.client(), email, PASSWORD);

    expect(held.status).toBe(429);
    expect(held.body.code).toBe('TOO_MANY_ATTEMPTS');
    expect(held.body.message).toMatch(/Try again in \d+ seconds?/);
    expect(Number(held.headers.get('retry-after'))).toBeGreaterThan(0);

    cv.advance(3000);
    expect((await signIn(cv.client(), email, PASSWORD)).status).toBe(200);
  });

  it('treat an address without an account exactly alike', async () => {
    const known = 'known-alike@throttle.test';
    await cv.addActiveUser({ email: known });
    const unknown = 'nobody-alike@throttle.test';

    await fail(known, 6);
    await fail(unknown, 6);
    const a = await signIn(cv.client(), known, 'x');
    const b = await signIn(cv.client(), unknown, 'x');

    // The same answer, but for the seconds left: b's delay began a few
    // requests after a's.
    const wordsOf = (body: { message: string; retryAfter: number }) => ({
      ...body,
      message: body.message.replace(/\d+ seconds?/, 'N seconds'),
      retryAfter: expect.any(Number),
    });
    expect(a.status).toBe(429);
    expect(b.status).toBe(a.status);
    expect(wordsOf(b.body)).toEqual(wordsOf(a.body));
  });

  it('are forgotten after a successful sign-in', async () => {
    const email = 'forgiven@throttle.test';
    await cv.addActiveUser({ email });
    await fail(email, 5);
    expect((await signIn(cv.client(), email, PASSWORD)).status).toBe(200);

    // Five more free tries, not a delay after the sixth failure overall.
    await fail(email, 5);
    expect((await signIn(cv.client(), email, PASSWORD)).status).toBe(200);
  });
});

describe('the owner of an attacked address', () => {
  it('signs in from a browser they used before, while strangers wait', async () => {
    const email = 'owner@throttle.test';
    const { client: owner } = await cv.addActiveUser({ email });
    await owner.post('/api/sign-out');
    expect(await owner.cookie('callvault_device')).toBeTruthy();

    await fail(email, 12);
    expect((await signIn(cv.client(), email, PASSWORD)).status).toBe(429);

    const answer = await signIn(owner, email, PASSWORD);
    expect(answer.status).toBe(200);
    expect((await owner.get('/api/me')).status).toBe(200);
  });

  it('has their device cookie count only for their own account', async () => {
    const { client: owner } = await cv.addActiveUser({
      email: 'device-owner@throttle.test',
    });
    const victim = 'device-victim@throttle.test';
    await cv.addActiveUser({ email: victim });
    await fail(victim, 8);

    // The owner's device is known for their account, not for the victim's.
    expect((await signIn(owner, victim, PASSWORD)).status).toBe(429);
  });
});

describe('a stop after 100 failures in a row', () => {
  it('holds until the failures are cleared, even after a day', async () => {
    const email = 'hundred@throttle.test';
    await cv.addActiveUser({ email });

    for (let i = 0; i < 100; i += 1) {
      cv.advance(16 * MINUTE);
      expect((await signIn(cv.client(), email, `guess ${i}`)).status).toBe(401);
    }
    cv.advance(25 * 60 * MINUTE);

    expect((await signIn(cv.client(), email, PASSWORD)).status).toBe(429);
    const row = await cv.callvault.db
      .selectFrom('throttles')
      .selectAll()
      .where('key', '=', `sign-in:email:${email}`)
      .executeTakeFirstOrThrow();
    expect(row.count).toBe(100);
  });
});

describe('one client address failing on many accounts', () => {
  it('is slowed down after twenty failures, whatever the address typed', async () => {
    const local = await startInstance();
    try {
      for (let i = 0; i < 20; i += 1) {
        const answer = await signIn(local.client(), `spray-${i}@throttle.test`, 'x');
        expect(answer.status).toBe(401);
      }
      await signIn(local.client(), 'spray-20@throttle.test', 'x');

      const held = await signIn(local.client(), 'fresh@throttle.test', 'x');
      expect(held.status).toBe(429);
    } finally {
      await local.stop();
    }
  });
});

describe('counts kept in the database', () => {
  it('survive a restart', async () => {
    const first = await startInstance();
    const email = 'restart@throttle.test';
    await first.addActiveUser({ email });
    for (let i = 0; i < 7; i += 1) {
      await signIn(first.client(), email, `wrong ${i}`);
    }
    await first.stop({ keepFiles: true });

    const second = await startInstance({}, { dir: first.dir });
    try {
      const answer = await signIn(second.client(), email, PASSWORD);
      expect(answer.status).toBe(429);
    } finally {
      await second.stop();
    }
  });
});
