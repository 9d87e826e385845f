/**
 * Verification is atomic: a burst of simultaneous requests gets the same
 * outcome as the same requests one by one. One right code makes at most
 * one session; every wrong code is counted; limits are not overshot.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUR, MINUTE } from '../../src/server/auth/context.ts';
import {
  CODE_FAILURES_PER_HOUR,
  CODE_SENDS_PER_HOUR,
  CODE_TRIES_PER_SIGN_IN,
} from '../../src/server/auth/security-code.ts';
import type { Answer, Client } from '../support/client.ts';
import { startInstance, type TestInstance } from '../support/instance.ts';
import {
  auditCount,
  PASSWORD,
  rowsOf,
  signInForCode,
  wrongCode,
} from '../support/journey.ts';

const BURST = 20;

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

/** The error codes of a burst of answers, counted. */
function tally(answers: Answer[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const answer of answers) {
    const key = answer.status === 200 ? 'ok' : String(answer.body?.code);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

function times<T>(count: number, make: (index: number) => Promise<T>) {
  return Promise.all(Array.from({ length: count }, (_, index) => make(index)));
}

describe('simultaneous submissions of a security code', () => {
  it('make exactly one session out of one right code', async () => {
    const email = 'race-right@callvault.test';
    const id = await twoFactorUser(email);
    const { client, code } = await signInForCode(cv, email);
    const acceptedBefore = await auditCount(cv, id, 'code.accepted');

    const answers = await times(BURST, () =>
      client.post('/api/sign-in/code', { code }),
    );

    const winners = answers.filter((answer) => answer.status === 200);
    expect(winners).toHaveLength(1);
    expect(winners[0]!.body).toEqual({ step: 'home', redirect: '/' });
    // Every loser is told the sign-in is over, none meets a fault.
    expect(tally(answers)).toEqual({ ok: 1, SIGN_IN_REQUIRED: BURST - 1 });

    expect(await rowsOf(cv, 'sessions', id)).toBe(1);
    expect(await auditCount(cv, id, 'code.accepted')).toBe(acceptedBefore + 1);
    expect(await rowsOf(cv, 'pending_sign_ins', id)).toBe(0);
  });

  it('count every wrong code, and void the sign-in at the fifth', async () => {
    const email = 'race-wrong@callvault.test';
    const id = await twoFactorUser(email);
    const { client, code } = await signInForCode(cv, email);

    const answers = await times(BURST, (index) =>
      client.post('/api/sign-in/code', { code: wrongCode(code, index + 1) }),
    );

    const counts = tally(answers);
    expect(counts).toEqual({
      CODE_WRONG: CODE_TRIES_PER_SIGN_IN - 1,
      CODE_TRIES_USED: 1,
      SIGN_IN_REQUIRED: BURST - CODE_TRIES_PER_SIGN_IN,
    });
    // Each answer of "wrong" left its mark: no entry went uncounted.
    const answeredWrong = counts.CODE_WRONG! + counts.CODE_TRIES_USED!;
    expect(await auditCount(cv, id, 'code.failed')).toBe(answeredWrong);

    expect(await rowsOf(cv, 'pending_sign_ins', id)).toBe(0);
    const late = await client.post('/api/sign-in/code', { code });
    expect(late.status).toBe(401);
    expect(await rowsOf(cv, 'sessions', id)).toBe(0);
  });

  it('never count more wrong codes than the account budget', async () => {
    const email = 'race-budget@callvault.test';
    const id = await twoFactorUser(email);
    // Four sign-ins of one account, each with five tries of its own: the
    // account's hourly budget, not the tries, must be what stops them.
    const signIns: Array<{ client: Client; code: string }> = [];
    for (let i = 0; i < BURST / CODE_TRIES_PER_SIGN_IN; i++) {
      signIns.push(await signInForCode(cv, email));
    }

    const answers = await times(BURST, (index) => {
      const { client, code } = signIns[index % signIns.length]!;
      return client.post('/api/sign-in/code', { code: wrongCode(code, index + 1) });
    });

    const counts = tally(answers);
    expect(counts.INTERNAL).toBeUndefined();
    const answeredWrong = (counts.CODE_WRONG ?? 0) + (counts.CODE_TRIES_USED ?? 0);
    expect(answeredWrong).toBe(CODE_FAILURES_PER_HOUR);
    expect(counts.CODE_BUDGET_USED).toBe(BURST - CODE_FAILURES_PER_HOUR);
    expect(await auditCount(cv, id, 'code.failed')).toBe(CODE_FAILURES_PER_HOUR);

    // With the budget spent, even a right code opens nothing.
    const live = signIns[signIns.length - 1]!;
    const right = await live.client.post('/api/sign-in/code', { code: live.code });
    expect(right.status).toBe(429);
    expect(await rowsOf(cv, 'sessions', id)).toBe(0);
  });
});

describe('simultaneous requests for a new code', () => {
  it('send one code, however many "Send a new code" clicks arrive', async () => {
    const email = 'race-resend@callvault.test';
    const id = await twoFactorUser(email);
    const { client } = await signInForCode(cv, email);
    const sentBefore = await auditCount(cv, id, 'code.sent');

    cv.advance(MINUTE);
    const answers = await times(BURST, () =>
      client.post('/api/sign-in/code/resend'),
    );

    expect(tally(answers)).toEqual({ ok: 1, CODE_RESEND_WAIT: BURST - 1 });
    expect(await auditCount(cv, id, 'code.sent')).toBe(sentBefore + 1);
  });

  it('stay within the hourly cap when sign-ins arrive at once', async () => {
    const email = 'race-cap@callvault.test';
    const id = await twoFactorUser(email);
    // The invitation's code falls out of the hour being counted.
    cv.advance(HOUR + 1000);

    // In waves of five, the free tries of the sign-in throttle: each wave
    // races the code cap, none is slowed down by the throttle itself.
    const answers = [];
    for (let wave = 0; wave < BURST / 5; wave += 1) {
      answers.push(
        ...(await times(5, () =>
          cv.client().post('/api/sign-in', { email, password: PASSWORD }),
        )),
      );
    }

    expect(tally(answers)).toEqual({
      ok: CODE_SENDS_PER_HOUR,
      CODE_SEND_LIMIT: BURST - CODE_SENDS_PER_HOUR,
    });
    // One code from the invitation, then the hour's worth and no more.
    expect(await rowsOf(cv, 'pending_sign_ins', id)).toBe(CODE_SENDS_PER_HOUR);
    expect(await auditCount(cv, id, 'code.sent')).toBe(1 + CODE_SENDS_PER_HOUR);
  });
});
