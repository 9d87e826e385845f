/**
 * Finding out who has an account, attacked over HTTP: sign-in and "Forgot
 * your password?" give one answer, in comparable time, for unknown,
 * invited, disabled and active addresses alike.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Answer, Client } from '../support/client.ts';
import { startInstance, type TestInstance } from '../support/instance.ts';
import { latestResetLink, median, visible } from '../support/journey.ts';
import {
  ACTIVE,
  addResetAccounts,
  CODED,
  DISABLED,
  HOUR,
  INVITED,
  PORTAL,
  resetSteps,
  startEachTestInANewHour,
} from '../support/reset-accounts.ts';

describe('sign-in', () => {
  const PASSWORD = 'a long and personal passphrase';
  const ACTIVE = 'active@sign-in.test';
  const DISABLED = 'disabled@sign-in.test';
  const INVITED = 'invited@sign-in.test';
  const CODED = 'coded@sign-in.test';

  let cv: TestInstance;
  let admin: Client;

  beforeAll(async () => {
    cv = await startInstance();
    admin = await cv.admin();

    await cv.addActiveUser({ email: ACTIVE });
    const { id: disabledId } = await cv.addActiveUser({ email: DISABLED });
    await admin.patch(`/api/users/${disabledId}`, { status: 'disabled' });
    await admin.post('/api/users', { email: INVITED, roles: ['user'], twoFactor: false });
    await cv.addActiveUser({ email: CODED, twoFactor: true });
  });
  afterAll(async () => {
    await cv.stop();
  });

  function signIn(email: string, password: string, extra: Record<string, unknown> = {}) {
    return cv.client().post('/api/sign-in', { email, password, ...extra });
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
});

describe('forgot password', () => {
  const ANSWER =
    'If an account uses that address, we have sent a link to reset its ' +
    'password. Check your inbox.';

  let cv: TestInstance;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    cv = await startInstance({ PUBLIC_URL: PORTAL });
    Object.assign(ids, await addResetAccounts(cv));
  });
  afterAll(async () => {
    await cv.stop();
  });

  startEachTestInANewHour(() => cv);

  const { forgot, resetMailsQueued } = resetSteps(() => cv);

  describe('one answer for every address', () => {
    it('answers unknown, invited, disabled and active addresses alike', async () => {
      const unknown = visible(await forgot('nobody@reset.test'));
      const invited = visible(await forgot(INVITED));
      const disabled = visible(await forgot(DISABLED));
      const active = visible(await forgot(ACTIVE));

      expect(unknown.status).toBe(200);
      expect(unknown.body).toEqual({ message: ANSWER });
      expect(unknown.cookies).toEqual([]);
      expect(invited).toEqual(unknown);
      expect(disabled).toEqual(unknown);
      expect(active).toEqual(unknown);
    });

    it('emails a link to an active user only', async () => {
      const before = {
        active: await resetMailsQueued(ACTIVE),
        invited: await resetMailsQueued(INVITED),
        disabled: await resetMailsQueued(DISABLED),
      };

      await forgot(ACTIVE.toUpperCase());
      await forgot(INVITED);
      await forgot(DISABLED);

      expect(await resetMailsQueued(ACTIVE)).toBe(before.active + 1);
      expect(await resetMailsQueued(INVITED)).toBe(before.invited);
      expect(await resetMailsQueued(DISABLED)).toBe(before.disabled);
      expect((await latestResetLink(cv, ACTIVE)).pathname).toBe('/reset-password');
    });

    it('takes about as long for every kind of address', async () => {
      const kinds: Record<string, number[]> = {
        unknown: [],
        invited: [],
        disabled: [],
        active: [],
      };
      const addresses = { invited: INVITED, disabled: DISABLED, active: ACTIVE };

      // Interleaved, so that a slow moment of the machine hits all alike;
      // each round in a new hour, so that no allowance runs out.
      for (let round = 0; round < 5; round += 1) {
        cv.advance(HOUR + 1000);
        kinds.unknown!.push(await timed(`ghost-${round}@reset.test`));
        for (const [kind, address] of Object.entries(addresses)) {
          kinds[kind]!.push(await timed(address));
        }
      }

      async function timed(address: string): Promise<number> {
        const start = performance.now();
        const answer = await forgot(address);
        expect(answer.status).toBe(200);
        return performance.now() - start;
      }

      const times = Object.entries(kinds)
        .map(([kind, values]) => `${kind} ${median(values).toFixed(0)} ms`)
        .join(', ');
      for (const values of Object.values(kinds)) {
        const ratio = median(values) / median(kinds.unknown!);
        expect(ratio, times).toBeGreaterThan(0.67);
        expect(ratio, times).toBeLessThan(1.5);
      }
    });

    it('audits each request, with what became of it', async () => {
      await forgot('stranger@reset.test');
      await forgot(DISABLED);

      const rows = await cv.callvault.db
        .selectFrom('audit_events')
        .select(['target_user_id', 'detail'])
        .where('event', '=', 'password.reset_requested')
        .orderBy('id', 'desc')
        .limit(2)
        .execute();
      expect(rows.map((row) => JSON.parse(row.detail!))).toEqual([
        { email: DISABLED, outcome: 'disabled' },
        { email: 'stranger@reset.test', outcome: 'unknown_email' },
      ]);
      expect(rows[0]!.target_user_id).toBe(ids[DISABLED]);
      expect(rows[1]!.target_user_id).toBeNull();
    });

    it('refuses what is not one address, or a field more', async () => {
      const list = await forgot(`${ACTIVE}, attacker@evil.test`);
      const extra = await cv.client().post('/api/password/forgot', {
        email: ACTIVE,
        to: 'attacker@evil.test',
      });

      expect(list.status).toBe(400);
      expect(list.body.fields.email).toMatch(/one valid email address/);
      expect(extra.status).toBe(400);
      expect(extra.body.code).toBe('UNKNOWN_FIELD');
      expect(cv.smtp.to('attacker@evil.test')).toEqual([]);
    });
  });
});
