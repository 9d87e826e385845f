/**
 * The security code rules, attacked over HTTP against a real instance:
 * six digits stored only as a hash, ten minutes, once, bound to one
 * pending sign-in, replaced by a new one, five wrong tries per sign-in, an
 * hourly budget per account, and a paced, capped "Send a new code".
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE } from '../../src/server/auth/context.ts';
import { ERRORS } from '../../src/server/errors.ts';
import { startInstance, type TestInstance } from '../support/instance.ts';
import {
  browserWith,
  latestCode,
  placesHolding,
  rowsOf,
  signInForCode,
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
