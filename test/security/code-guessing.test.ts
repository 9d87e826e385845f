/**
 * Guessing the security code, attacked over HTTP against a real instance:
 * five wrong tries void a sign-in, an hourly budget per account that
 * resends and new sign-ins do not refill, and a paced, capped "Send a new
 * code".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE, HOUR } from '../../src/server/auth/context.ts';
import {
  CODE_FAILURES_PER_HOUR,
  CODE_SENDS_PER_HOUR,
  CODE_TRIES_PER_SIGN_IN,
} from '../../src/server/auth/security-code.ts';
import { ERRORS } from '../../src/server/errors.ts';
import type { Client } from '../support/client.ts';
import { startInstance, type TestInstance } from '../support/instance.ts';
import {
  auditCount,
  browserWith,
  latestCode,
  latestMail,
  PASSWORD,
  rowsOf,
  signInForCode,
  wrongCode,
} from '../support/journey.ts';


let cv: TestInstance;
beforeAll(async () => {
  cv = await startInstance();
});
afterAll(async () => {
  await cv.stop();
});

/** An active user with two-factor on, signed out again; their id. */
async function twoFactorUser(email: string): Promise<string> {
  const { client, id } = await cv.addActiveUser({ email, twoFactor: true });
  await client.post('/api/sign-out');
  return id;
}

async function pendingOf(id: string) {
  return cv.callvault.db
    .selectFrom('pending_sign_ins')
    .selectAll()
    .where('user_id', '=', id)
    .executeTakeFirstOrThrow();
}

async function codeMailsQueuedFor(id: string): Promise<number> {
  const row = await cv.callvault.db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('user_id', '=', id)
    .where('kind', '=', 'security_code')
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

describe('wrong codes', () => {
  it('void the sign-in at the fifth; the right code then fails', async () => {
    const email = 'five@callvault.test';
    const id = await twoFactorUser(email);
    const { client, code } = await signInForCode(cv, email);
    const pendingToken = (await client.cookie('callvault_pending'))!;

    for (let tries = 1; tries < CODE_TRIES_PER_SIGN_IN; tries++) {
      const wrong = await client.post('/api/sign-in/code', {
        code: wrongCode(code, tries),
      });
      expect(wrong.status).toBe(400);
      expect(wrong.body.code).toBe('CODE_WRONG');
    }
    expect(await rowsOf(cv, 'pending_sign_ins', id)).toBe(1);

    const fifth = await client.post('/api/sign-in/code', {
      code: wrongCode(code, CODE_TRIES_PER_SIGN_IN),
    });
    expect(fifth.status).toBe(401);
    expect(fifth.body.code).toBe('CODE_TRIES_USED');
    expect(await rowsOf(cv, 'pending_sign_ins', id)).toBe(0);
    expect(await client.cookie('callvault_pending')).toBeUndefined();

    // Not just the cookie is gone: the sign-in itself no longer exists.
    const copy = await browserWith(cv, { callvault_pending: pendingToken });
    const right = await copy.post('/api/sign-in/code', { code });
    expect(right.status).toBe(401);
    expect(right.body.code).toBe('SIGN_IN_REQUIRED');
    expect(await rowsOf(cv, 'sessions', id)).toBe(0);

    // The way on is to start again with the password.
    const again = await signInForCode(cv, email);
    const done = await again.client.post('/api/sign-in/code', { code: again.code });
    expect(done.body.step).toBe('home');
  });

  it('spend an hourly budget that resends and sign-ins keep', async () => {
    const email = 'budget@callvault.test';
    const id = await twoFactorUser(email);
    let failures = 0;

    /** Enters `count` wrong codes in one browser; the last answer's code. */
    async function enterWrong(client: Client, count: number) {
      let answer = '';
      for (let i = 0; i < count; i++) {
        const wrong = await client.post('/api/sign-in/code', {
          code: wrongCode(await latestCode(cv, email), i + 1),
        });
        // Answered as wrong, so counted; never the budget's 429 yet.
        expect(['CODE_WRONG', 'CODE_TRIES_USED']).toContain(wrong.body.code);
        answer = wrong.body.code;
        failures += 1;
      }
      return answer;
    }

    // Four wrong, then "Send a new code", then one more: the new code
    // brings no new tries, and the sign-in is void.
    const first = await signInForCode(cv, email);
    await enterWrong(first.client, CODE_TRIES_PER_SIGN_IN - 1);
    cv.advance(MINUTE);
    expect((await first.client.post('/api/sign-in/code/resend')).status).toBe(200);
    expect(await enterWrong(first.client, 1)).toBe('CODE_TRIES_USED');

    // Signing in again, as often as it takes, starts no new budget.
    while (failures < CODE_FAILURES_PER_HOUR) {
      const next = await signInForCode(cv, email);
      const room = CODE_FAILURES_PER_HOUR - failures;
      await enterWrong(next.client, Math.min(room, CODE_TRIES_PER_SIGN_IN - 1));
    }
    expect(await auditCount(cv, id, 'code.failed')).toBe(CODE_FAILURES_PER_HOUR);

    const last = await signInForCode(cv, email);
    const refused = await last.client.post('/api/sign-in/code', {
      code: last.code,
    });
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('CODE_BUDGET_USED');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await rowsOf(cv, 'sessions', id)).toBe(0);

    // Nor does a new code in the same sign-in.
    cv.advance(MINUTE);
    expect((await last.client.post('/api/sign-in/code/resend')).status).toBe(200);
    const resentRefused = await last.client.post('/api/sign-in/code', {
      code: await latestCode(cv, email),
    });
    expect(resentRefused.status).toBe(429);
    expect(await rowsOf(cv, 'sessions', id)).toBe(0);

    cv.advance(HOUR);
    const later = await signInForCode(cv, email);
    const accepted = await later.client.post('/api/sign-in/code', {
      code: later.code,
    });
    expect(accepted.body.step).toBe('home');
  });
});

describe('"Send a new code"', () => {
  it('waits 60 seconds between sends and says so', async () => {
    const email = 'wait@callvault.test';
    const id = await twoFactorUser(email);
    const { client, code } = await signInForCode(cv, email);
    const queued = await codeMailsQueuedFor(id);
    const codeHash = (await pendingOf(id)).code_hash;

    const status = await client.get('/api/sign-in/code');
    const sentAt = (await pendingOf(id)).code_sent_at!;
    expect(status.body.resendAvailableAt).toBe(
      new Date(Date.parse(sentAt) + MINUTE).toISOString(),
    );

    cv.advance(MINUTE - 2000);
    const early = await client.post('/api/sign-in/code/resend');
    expect(early.status).toBe(429);
    expect(early.body.code).toBe('CODE_RESEND_WAIT');
    expect(early.body.message).toMatch(/wait \d+ seconds?/);
    const retryAfter = Number(early.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(2);
    expect(early.body.retryAfter).toBe(retryAfter);
    // A refused resend neither mails nor replaces the code.
    expect(await codeMailsQueuedFor(id)).toBe(queued);
    expect((await pendingOf(id)).code_hash).toBe(codeHash);

    cv.advance(2000);
    const allowed = await client.post('/api/sign-in/code/resend');
    expect(allowed.status).toBe(200);
    expect(await codeMailsQueuedFor(id)).toBe(queued + 1);
    const newCode = await latestCode(cv, email);
    expect(newCode).not.toBe(code);

    const done = await client.post('/api/sign-in/code', { code: newCode });
    expect(done.body.step).toBe('home');
  });

  it('is capped per account per hour, counting the first code', async () => {
    const email = 'cap@callvault.test';
    const id = await twoFactorUser(email);
    // The code of the invitation falls out of the hour being counted.
    cv.advance(HOUR + 1000);

    const { client } = await signInForCode(cv, email);
    for (let sent = 1; sent < CODE_SENDS_PER_HOUR; sent++) {
      cv.advance(MINUTE);
      const resent = await client.post('/api/sign-in/code/resend');
      expect(resent.status).toBe(200);
      await latestMail(cv, email);
    }
    const queued = await codeMailsQueuedFor(id);
    const received = cv.smtp.to(email).length;

    cv.advance(MINUTE);
    const capped = await client.post('/api/sign-in/code/resend');
    expect(capped.status).toBe(429);
    expect(capped.body.code).toBe('CODE_SEND_LIMIT');
    expect(capped.body.message).toBe(ERRORS.CODE_SEND_LIMIT[1]);
    // The first code leaves the hour about 50 minutes from now.
    const retryAfter = Number(capped.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(49 * 60);
    expect(retryAfter).toBeLessThanOrEqual(51 * 60);

    // Signing in again does not get round the cap.
    const again = await cv.client().post('/api/sign-in', {
      email,
      password: PASSWORD,
    });
    expect(again.status).toBe(429);
    expect(again.body.code).toBe('CODE_SEND_LIMIT');

    expect(await codeMailsQueuedFor(id)).toBe(queued);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(cv.smtp.to(email)).toHaveLength(received);
  });
});
