/**
 * Invitation and password reset links attacked over HTTP: each works once,
 * also when many clicks race, and not after it expires (72 hours for an
 * invitation, one hour for a reset) or once a newer link replaced it.
 * Each kind of link runs against its own real instance.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInstance, type TestInstance } from '../support/instance.ts';
import { invitations } from '../support/invitations.ts';
import { PASSWORD } from '../support/journey.ts';
import {
  ACTIVE,
  addResetAccounts,
  HOUR,
  NEW_PASSWORD,
  PORTAL,
  resetSteps,
  startEachTestInANewHour,
} from '../support/reset-accounts.ts';

describe('invitation links', () => {
  let cv: TestInstance;

  beforeAll(async () => {
    cv = await startInstance({ PUBLIC_URL: PORTAL });
  });
  afterAll(async () => {
    await cv.stop();
  });

  const { tokenIn, invite, accept, userRow, pendingOf } = invitations(
    () => cv,
  );

  describe('a link works once', () => {
    it('lets the new user in once and refuses the second use', async () => {
      const { id } = await invite('once@invitations.test');
      const token = tokenIn(await cv.smtp.waitFor('once@invitations.test'));
      const browser = cv.client();

      const first = await browser.post('/api/invitations/accept', { token });
      const again = await browser.post('/api/invitations/accept', { token });
      const elsewhere = await accept(token);

      expect(first.status).toBe(200);
      expect(first.body.step).toBe('personalise');
      for (const refused of [again, elsewhere]) {
        expect(refused.status).toBe(400);
        expect(refused.body.code).toBe('LINK_INVALID');
        expect(refused.body.message).toMatch(/administrator/);
      }
      expect(await pendingOf(id)).toHaveLength(1);
    });

    it('lets exactly one of ten simultaneous clicks in', async () => {
      const { id } = await invite('race@invitations.test');
      const token = tokenIn(await cv.smtp.waitFor('race@invitations.test'));

      const answers = await Promise.all(Array.from({ length: 10 }, () => accept(token)));

      expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
      const refused = answers.filter((a) => a.status !== 200);
      expect(refused).toHaveLength(9);
      for (const answer of refused) expect(answer.body.code).toBe('LINK_INVALID');
      expect(await pendingOf(id)).toHaveLength(1);
      const accepted = await cv.callvault.db
        .selectFrom('audit_events')
        .select('id')
        .where('event', '=', 'invitation.accepted')
        .where('target_user_id', '=', id)
        .execute();
      expect(accepted).toHaveLength(1);
    });

    it('refuses tokens that are not a link Callvault made, without an error', async () => {
      for (const token of ['', 'x', 'A'.repeat(43), 'A'.repeat(256), '../../etc/passwd']) {
        const answer = await accept(token);
        expect(answer.status, token).toBe(400);
      }
      const tooLong = await accept('A'.repeat(257));
      expect(tooLong.status).toBe(400);
    });
  });

  describe('a link expires after 72 hours', () => {
    /** Milliseconds from the instance's clock to the link's expiry. */
    function untilExpiry(expiresAt: string): number {
      return new Date(expiresAt).getTime() - cv.callvault.ctx.clock().getTime();
    }

    it('expires exactly 72 hours after it was sent', async () => {
      const created = await invite('lifetime@invitations.test');

      const link = await cv.callvault.db
        .selectFrom('links')
        .selectAll()
        .where('user_id', '=', created.id)
        .executeTakeFirstOrThrow();
      const lifetime =
        new Date(link.expires_at).getTime() - new Date(link.created_at).getTime();

      expect(lifetime).toBe(72 * HOUR);
      expect(link.expires_at).toBe(created.invitationExpiresAt);
    });

    it('accepts the link a few seconds before it expires', async () => {
      const created = await invite('just-before@invitations.test');
      const token = tokenIn(await cv.smtp.waitFor('just-before@invitations.test'));

      cv.advance(untilExpiry(created.invitationExpiresAt) - 5_000);
      const answer = await accept(token);

      expect(answer.status).toBe(200);
      expect(answer.body.step).toBe('personalise');
    });

    it('refuses the link one second after it expires', async () => {
      const created = await invite('just-after@invitations.test');
      const token = tokenIn(await cv.smtp.waitFor('just-after@invitations.test'));

      cv.advance(untilExpiry(created.invitationExpiresAt) + 1_000);
      const answer = await accept(token);

      expect(answer.status).toBe(400);
      // Said as "expired" (the token proves who asks): see isExpiredInvitation.
      expect(answer.body.code).toBe('INVITATION_EXPIRED');
      expect((await userRow(created.id)).status).toBe('invited');
      expect(await pendingOf(created.id)).toHaveLength(0);
    });

    it('lets an administrator send a fresh link once one has expired', async () => {
      const created = await invite('expired-resend@invitations.test');
      await cv.smtp.waitFor('expired-resend@invitations.test');
      cv.advance(untilExpiry(created.invitationExpiresAt) + 1_000);

      const admin = await cv.admin();
      const resent = await admin.post(`/api/users/${created.id}/invitation`, {});
      expect(resent.status).toBe(200);
      const mail = await cv.smtp.waitFor('expired-resend@invitations.test', 2);

      expect((await accept(tokenIn(mail))).status).toBe(200);
    });
  });
});

describe('password reset links', () => {
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

  const { reset, signIn, resetToken } = resetSteps(() => cv);

  describe('a link works once, for one hour', () => {
    it('refuses the second use', async () => {
      const token = await resetToken(ACTIVE);

      expect((await reset(token, NEW_PASSWORD)).status).toBe(204);
      const again = await reset(token, PASSWORD);

      expect(again.status).toBe(400);
      expect(again.body.code).toBe('RESET_LINK_INVALID');
      expect((await signIn(ACTIVE, NEW_PASSWORD)).status).toBe(200);
      expect((await reset(await resetToken(ACTIVE), PASSWORD)).status).toBe(204);
    });

    async function allRefusals(): Promise<number> {
      const rows = await cv.callvault.db
        .selectFrom('audit_events')
        .select('id')
        .where('event', '=', 'password.reset_refused')
        .execute();
      return rows.length;
    }

    it('lets exactly one of ten simultaneous tries through', async () => {
      const token = await resetToken(ACTIVE);
      const refusedBefore = await allRefusals();
      const passwords = Array.from(
        { length: 10 },
        (_, index) => `simultaneous winter passphrase ${index}`,
      );

      const answers = await Promise.all(
        passwords.map((password) => reset(token, password)),
      );

      const winners = answers.flatMap((answer, index) =>
        answer.status === 204 ? [passwords[index]!] : [],
      );
      expect(winners).toHaveLength(1);
      for (const answer of answers.filter((a) => a.status !== 204)) {
        expect(answer.body.code).toBe('RESET_LINK_INVALID');
      }
      expect((await signIn(ACTIVE, winners[0]!)).status).toBe(200);
      // A loser that looked after the winner used the link up no longer
      // knows whose it was, so its refusal names nobody: count them all.
      expect((await allRefusals()) - refusedBefore).toBe(9);
      expect((await reset(await resetToken(ACTIVE), PASSWORD)).status).toBe(204);
    });

    it('voids the previous link when a new one is asked for', async () => {
      const first = await resetToken(ACTIVE);
      const second = await resetToken(ACTIVE);

      expect(first).not.toBe(second);
      expect((await reset(first)).body.code).toBe('RESET_LINK_INVALID');
      expect((await reset(second, PASSWORD)).status).toBe(204);
    });

    it('works until an hour has passed', async () => {
      const token = await resetToken(ACTIVE);
      cv.advance(HOUR - 10_000);

      expect((await reset(token, PASSWORD)).status).toBe(204);
    });

    it('is refused once an hour has passed', async () => {
      const token = await resetToken(ACTIVE);
      cv.advance(HOUR + 1000);

      const late = await reset(token);

      expect(late.status).toBe(400);
      expect(late.body.code).toBe('RESET_LINK_INVALID');
      expect((await signIn(ACTIVE, PASSWORD)).status).toBe(200);
    });

    it('refuses tokens Callvault never made', async () => {
      for (const token of ['', 'x', crypto.randomBytes(32).toString('base64url')]) {
        const answer = await reset(token);
        expect(answer.status).toBe(400);
        expect(answer.body.code).toBe('RESET_LINK_INVALID');
      }
    });
  });
});
