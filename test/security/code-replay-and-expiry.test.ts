/**
 * The security code rules, attacked over HTTP against a real instance:
 * six digits stored only as a hash, ten minutes, once, bound to one
 * pending sign-in, replaced by a new one, five wrong tries per sign-in, an
 * hourly budget per account, and a paced, capped "Send a new code".
 */
import crypto from 'node:crypto';
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
  placesHolding,
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

/** Waits until the sender has marked every queued mail of a user sent. */
async function allSent(id: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const waiting = await cv.callvault.db
      .selectFrom('outbox')
      .select('id')
      .where('user_id', '=', id)
      .where('sent_at', 'is', null)
      .execute();
    if (waiting.length === 0) return;
    if (Date.now() > deadline) throw new Error('mail still unsent');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a security code', () => {
  it('is six digits, mailed, and stored only as a salted hash', async () => {
    const email = 'hash@callvault.test';
    const id = await twoFactorUser(email);

    const { code } = await signInForCode(cv, email);
    expect(code).toMatch(/^\d{6}$/);

    const pending = await pendingOf(id);
    expect(pending.code_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(pending.code_hash).not.toContain(code);
    // Six digits hashed alone could be looked up in a table of a million.
    const unsalted = crypto.createHash('sha256').update(code).digest('hex');
    expect(pending.code_hash).not.toBe(unsalted);

    // The mail leaves no copy behind once it is delivered.
    await allSent(id);
    const mails = await cv.callvault.db
      .selectFrom('outbox')
      .select(['text_body', 'html_body'])
      .where('user_id', '=', id)
      .execute();
    for (const mail of mails) {
      expect(mail).toEqual({ text_body: null, html_body: null });
    }

    expect(await placesHolding(cv, code)).toEqual([]);
    expect(cv.logs.join('\n')).not.toMatch(new RegExp(`\\b${code}\\b`));
  });

  it('is refused with the expired message 10 minutes and 1 second on', async () => {
    const email = 'expired@callvault.test';
    const id = await twoFactorUser(email);
    const { client, code } = await signInForCode(cv, email);

    cv.advance(10 * MINUTE + 1000);
    const late = await client.post('/api/sign-in/code', { code });

    expect(late.status).toBe(400);
    expect(late.body).toMatchObject({
      code: 'CODE_EXPIRED',
      message: ERRORS.CODE_EXPIRED[1],
    });
    expect(await rowsOf(cv, 'sessions', id)).toBe(0);
    expect(await client.cookie('callvault_session')).toBeUndefined();
  });

  it('is accepted just under 10 minutes on', async () => {
    const email = 'in-time@callvault.test';
    const id = await twoFactorUser(email);
    const { client, code } = await signInForCode(cv, email);

    cv.advance(10 * MINUTE - 1000);
    const answer = await client.post('/api/sign-in/code', { code });

    expect(answer.body).toEqual({ step: 'home', redirect: '/' });
    expect(await rowsOf(cv, 'sessions', id)).toBe(1);
  });

  it('works once: replaying it after success opens no second session', async () => {
    const email = 'once@callvault.test';
    const id = await twoFactorUser(email);
    const { client, code } = await signInForCode(cv, email);
    const pendingToken = (await client.cookie('callvault_pending'))!;
    const sessionsBefore = await rowsOf(cv, 'sessions', id);

    const first = await client.post('/api/sign-in/code', { code });
    expect(first.body.step).toBe('home');

    // The same browser, and a copy of its pending cookie, replay the code.
    const again = await client.post('/api/sign-in/code', { code });
    const copy = await browserWith(cv, { callvault_pending: pendingToken });
    const replay = await copy.post('/api/sign-in/code', { code });

    for (const refused of [again, replay]) {
      expect(refused.status).toBe(401);
      expect(refused.body.code).toBe('SIGN_IN_REQUIRED');
    }
    expect(await copy.cookie('callvault_session')).toBeUndefined();
    expect(await rowsOf(cv, 'sessions', id)).toBe(sessionsBefore + 1);
  });

  it('is refused in another sign-in of the same user', async () => {
    const email = 'bound@callvault.test';
    const id = await twoFactorUser(email);
    const first = await signInForCode(cv, email);
    const second = await signInForCode(cv, email);

    const crossed = await second.client.post('/api/sign-in/code', {
      code: first.code,
    });

    expect(crossed.status).toBe(400);
    expect(crossed.body.code).toBe('CODE_WRONG');
    expect(await rowsOf(cv, 'sessions', id)).toBe(0);

    // The code itself was right, for the sign-in it was sent to.
    const own = await first.client.post('/api/sign-in/code', { code: first.code });
    expect(own.body.step).toBe('home');
  });

  it("is refused in another user's sign-in", async () => {
    const victim = 'bound-victim@callvault.test';
    const victimId = await twoFactorUser(victim);
    const attacker = 'bound-attacker@callvault.test';
    await twoFactorUser(attacker);
    const theirs = await signInForCode(cv, attacker);
    const mine = await signInForCode(cv, victim);

    const crossed = await mine.client.post('/api/sign-in/code', {
      code: theirs.code,
    });

    expect(crossed.status).toBe(400);
    expect(crossed.body.code).toBe('CODE_WRONG');
    expect(await rowsOf(cv, 'sessions', victimId)).toBe(0);
  });

  it('is replaced by a new one: the old code is refused', async () => {
    const email = 'replaced@callvault.test';
    const id = await twoFactorUser(email);
    const { client, code: oldCode } = await signInForCode(cv, email);

    cv.advance(MINUTE);
    const resent = await client.post('/api/sign-in/code/resend');
    expect(resent.status).toBe(200);
    const newCode = await latestCode(cv, email);

    const old = await client.post('/api/sign-in/code', { code: oldCode });
    expect(old.status).toBe(400);
    expect(old.body.code).toBe('CODE_WRONG');
    expect(await rowsOf(cv, 'sessions', id)).toBe(0);

    const fresh = await client.post('/api/sign-in/code', { code: newCode });
    expect(fresh.body.step).toBe('home');
  });
});

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
