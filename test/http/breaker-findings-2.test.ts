/**
 * Findings of a second break-it pass over account security (throttling,
 * My account, forgot password). Each test states the safe behaviour and
 * fails while the finding stands. Every test has its own instance: the
 * client-address counters of one must not slow the next.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Client } from '../support/client.ts';
import { startInstance, type TestInstance } from '../support/instance.ts';
import { invite, latestMail, PASSWORD } from '../support/journey.ts';

const MINUTE = 60_000;

let cv: TestInstance | undefined;
async function fresh(env: Record<string, string> = {}): Promise<TestInstance> {
  cv = await startInstance(env);
  return cv;
}
afterEach(async () => {
  await cv?.stop();
  cv = undefined;
});

function resetTokenIn(text: string): string {
  const match = text.match(/\/reset-password#(\S+)/);
  if (!match) throw new Error(`no reset link in: ${text}`);
  return match[1]!;
}

function signIn(client: Client, email: string, password: string) {
  return client.post('/api/sign-in', { email, password });
}

describe('sign-in throttling', () => {
  it('lets no more than the free tries plus one through when forty wrong ' +
    'passwords arrive at once', async () => {
    const cv = await fresh();
    const email = 'burst@breaker2.test';
    await cv.addActiveUser({ email });

    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => signIn(cv.client(), email, `wrong guess ${i}`)),
    );
    const checked = answers.filter((a) => a.status === 401).length;

    // Five free tries and a sixth that sets the first delay; every other
    // guess must wait (429), or the delay limits nothing.
    expect(checked).toBeLessThanOrEqual(6);
  });

  it('does not hold back the owner in their usual browser when others fail ' +
    'from the same client address', async () => {
    const cv = await fresh();
    const email = 'office-owner@breaker2.test';
    const { client: owner } = await cv.addActiveUser({ email });
    await owner.post('/api/sign-out');

    // Someone behind the same office address (or the same proxy) guesses
    // at other accounts until the client address is delayed.
    for (let i = 0; i < 25; i += 1) {
      const answer = await signIn(cv.client(), `victim${i}@breaker2.test`, 'wrong guess');
      expect([401, 429]).toContain(answer.status);
    }

    // The owner's browser completed a sign-in of this user before.
    const back = await signIn(owner, email, PASSWORD);
    expect(back.status).toBe(200);
  });

  it('lifts the 100-failure stop of the owner\'s own browser when the ' +
    'password is reset', async () => {
    const cv = await fresh();
    const email = 'stopped-device@breaker2.test';
    const { client: owner } = await cv.addActiveUser({ email });
    await owner.post('/api/sign-out');

    // A hundred wrong passwords from the owner's browser (a stolen device
    // cookie, or a forgotten password typed over a day), waiting out each delay.
    for (let i = 0; i < 100; i += 1) {
      cv.advance(16 * MINUTE);
      const answer = await signIn(owner, email, `wrong guess ${i}`);
      expect(answer.status, `failure ${i + 1}`).toBe(401);
    }
    cv.advance(16 * MINUTE);
    expect((await signIn(owner, email, PASSWORD)).status).toBe(429);

    // The README's recovery: "Forgot your password?", then the link.
    const asked = await cv.client().post('/api/password/forgot', { email });
    expect(asked.status).toBe(200);
    const token = resetTokenIn((await latestMail(cv, email)).text);
    const newPassword = 'a brand new and personal passphrase';
    const reset = await cv.client().post('/api/password/reset', {
      token,
      newPassword,
      confirmPassword: newPassword,
    });
    expect(reset.status).toBe(204);

    // Past any client-address delay: only the account's stop could remain.
    cv.advance(16 * MINUTE);
    expect((await signIn(owner, email, newPassword)).status).toBe(200);
  });
});

describe('sign-in throttling, continued', () => {
  it('tells a person at the 100-failure stop to reset the password, not to ' +
    'wait millions of hours', async () => {
    const cv = await fresh();
    const email = 'hundred@breaker2.test';
    await cv.addActiveUser({ email });

    for (let i = 0; i < 100; i += 1) {
      cv.advance(16 * MINUTE);
      const answer = await signIn(cv.client(), email, `wrong guess ${i}`);
      expect(answer.status, `failure ${i + 1}`).toBe(401);
    }
    cv.advance(16 * MINUTE);
    const stopped = await signIn(cv.client(), email, PASSWORD);

    expect(stopped.status).toBe(429);
    // "Try again in 70000000 hours" is neither true nor understandable:
    // the way out is a password reset (README, Throttling).
    expect(stopped.body.message).not.toMatch(/\d{4,} hours/);
    expect(stopped.body.message).toMatch(/reset/i);
  });

  it('keeps counting a client address\'s failures on other addresses after it ' +
    'signs in to its own account', async () => {
    const cv = await fresh();
    const insider = 'insider@breaker2.test';
    const { client: own } = await cv.addActiveUser({ email: insider });

    // Password spraying: one guess per address, so only the client
    // address's count can slow it. Every 19 guesses, the sprayer signs in
    // to their own account to wipe that count.
    let refused = 0;
    for (let round = 0; round < 3; round += 1) {
      for (let i = 0; i < 19; i += 1) {
        const answer = await signIn(
          cv.client(),
          `target${round}-${i}@breaker2.test`,
          'Summer2026!!',
        );
        if (answer.status === 429) refused += 1;
      }
      await own.post('/api/sign-out');
      const wiped = await signIn(own, insider, PASSWORD);
      if (wiped.status === 429) refused += 1;
    }

    // 57 failures from one client address: past the 20 free ones, the
    // doubling wait must have refused some.
    expect(refused).toBeGreaterThan(0);
  });
});

describe('known devices after a password reset', () => {
  it('stops treating a browser that signed in before the reset as known', async () => {
    const cv = await fresh();
    const email = 'compromised@breaker2.test';
    await cv.addActiveUser({ email });

    // Someone who had the password signed in from their own browser.
    const intruder = cv.client();
    expect((await signIn(intruder, email, PASSWORD)).status).toBe(200);
    await intruder.post('/api/sign-out');

    // The owner notices and resets the password with the emailed link.
    await cv.client().post('/api/password/forgot', { email });
    const token = resetTokenIn((await latestMail(cv, email)).text);
    const newPassword = 'a brand new and personal passphrase';
    const reset = await cv.client().post('/api/password/reset', {
      token,
      newPassword,
      confirmPassword: newPassword,
    });
    expect(reset.status).toBe(204);

    // Strangers' guesses at the address now make everyone wait ...
    for (let i = 0; i < 6; i += 1) {
      await signIn(cv.client(), email, `wrong guess ${i}`);
    }
    expect((await signIn(cv.client(), email, 'one more guess')).status).toBe(429);

    // ... and so must the intruder's browser: the reset revoked what the
    // old password earned, or it keeps a guessing budget of its own.
    expect((await signIn(intruder, email, 'a guess at the new one')).status).toBe(429);
  });
});

describe('My account > Change password', () => {
  it('checks no more than ten wrong current passwords an hour when thirty ' +
    'arrive at once', async () => {
    const cv = await fresh();
    const { client } = await cv.addActiveUser({ email: 'stolen-session@breaker2.test' });
    const newPassword = 'another long and personal passphrase';

    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        client.post('/api/account/password', {
          currentPassword: `guess number ${i}`,
          newPassword,
          confirmPassword: newPassword,
        }),
      ),
    );
    const checked = answers.filter((a) => a.body?.fields?.currentPassword).length;

    // A stolen session must not become a fast way to guess the password.
    expect(checked).toBeLessThanOrEqual(10);
  });

  it('lets the owner change their password in their own browser after a ' +
    'session thief spent ten wrong current passwords', async () => {
    const cv = await fresh();
    const email = 'thief-target@breaker2.test';
    const { client: thief } = await cv.addActiveUser({ email });
    // The owner's own browser, signed in separately.
    const owner = cv.client();
    expect((await signIn(owner, email, PASSWORD)).status).toBe(200);

    const stolen = 'stolen but unknown passphrase';
    for (let i = 0; i < 10; i += 1) {
      await thief.post('/api/account/password', {
        currentPassword: `guess number ${i}`,
        newPassword: stolen,
        confirmPassword: stolen,
      });
    }

    // README, session-reauth: "The owner signs in again and changes their
    // password, which does ask for it and ends the thief's session."
    const newPassword = 'the owner\'s fresh and personal passphrase';
    const changed = await owner.post('/api/account/password', {
      currentPassword: PASSWORD,
      newPassword,
      confirmPassword: newPassword,
    });
    expect(changed.status).toBe(200);
    expect((await thief.get('/api/me')).status).toBe(401);
  });
});

describe('Settings > Security: Email MFA', () => {
  it('asks for the code of an invitation accepted just before Email MFA was saved', async () => {
    const cv = await fresh();
    const email = 'mid-flight@breaker2.test';
    const { token } = await invite(cv, { email, twoFactor: false });

    // The new user opens the link under No MFA: no code owed yet.
    const browser = cv.client();
    const opened = await browser.post('/api/invitations/accept', { token });
    expect(opened.body.step).toBe('personalise');

    // The administrator now requires Email MFA for everyone.
    const admin = await cv.admin();
    const saved = await admin.request('PUT', '/api/settings/security', {
      twoFactor: 'email',
      sessionIdleMinutes: null,
      sessionMaxHours: null,
    });
    expect(saved.status).toBe(200);

    // Whoever holds the link's browser must not end up signed in without
    // the code: the session is created after the policy was saved.
    const done = await browser.post('/api/password/personalise', {
      newPassword: PASSWORD,
      confirmPassword: PASSWORD,
    });
    expect(done.body.step).not.toBe('home');
    expect((await browser.get('/api/me')).status).toBe(401);
  });
});
