/**
 * My account > Change password. The current password proves that the
 * person at the keyboard is the user and not someone who found a signed-in
 * browser (ASVS 2.1.6); the new one follows the rules of personalising.
 * The user's other sessions end, this one stays (ASVS 3.3.3), and the user
 * is told by email (ASVS 2.2.3), all in one transaction.
 */
import { recordAudit } from '../audit/audit.ts';
import { MINUTE, type DomainContext, type RequestMeta } from '../auth/context.ts';
import { forgetDevices } from '../auth/devices.ts';
import {
  clearFailures,
  reserveAttempt,
  type FailurePolicy,
  type Refusal,
} from '../auth/throttle.ts';
import { hashPassword, passwordProblem, verifyPassword } from '../auth/password.ts';
import { endOtherSessionsOf, type ActiveSession } from '../auth/session.ts';
import { AppError } from '../errors.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { passwordChangedMessage } from '../mail/templates.tsx';
import { describeDevice, deviceName } from './device.ts';
import { inTransaction } from '../db/transaction.ts';

/**
 * Wrong current passwords, counted per session: a stolen session cookie
 * must not become a way to guess the password behind it (NIST 800-63B
 * 5.2.2 asks for a limit on every verifier), and a thief spending the
 * count must not stop the owner, in their own session, from changing the
 * password and so ending the thief's. Three free, then doubling waits,
 * and that session stops trying after ten.
 */
export const WRONG_CURRENT_PASSWORDS: FailurePolicy = {
  free: 3,
  maxDelayMs: 15 * MINUTE,
  stopAt: 10,
};

const REFUSAL: Refusal = {
  waiting: (wait) =>
    `Too many wrong current passwords. Try again in ${wait}.`,
  stopped:
    'Too many wrong current passwords in this browser. Sign out and sign ' +
    'in again, or use "Forgot your password?".',
};

export interface PasswordChange {
  currentPassword: string;
  newPassword: string;
  confirmPassword: string;
}

/** Changes the signed-in user's password; other sessions end. */
export async function changePassword(
  ctx: DomainContext,
  session: ActiveSession,
  input: PasswordChange,
  meta: RequestMeta,
): Promise<{ sessionsEnded: number }> {
  const { user } = session;
  const attemptKey = `password-change:session:${session.sessionId}`;
  await reserveAttempt(
    ctx.db,
    ctx.clock(),
    [{ key: attemptKey, policy: WRONG_CURRENT_PASSWORDS }],
    REFUSAL,
  );

  const fields = await formProblems(ctx, session, input, meta);
  // The right current password ends the streak, whatever else needs fixing.
  if (!fields.currentPassword) await clearFailures(ctx.db, [attemptKey]);
  if (Object.keys(fields).length > 0) {
    throw new AppError('VALIDATION', { fields });
  }
  const passwordHash = await hashPassword(input.newPassword);

  const result = await inTransaction(ctx.db, async (trx) => {
    const now = ctx.clock();
    const { ended, kept } = await endOtherSessionsOf(trx, user.id, session.sessionId);
    // An administrator's change (or a sign-out) ended this session while
    // the password was being hashed: the change is not made.
    if (!kept) throw new AppError('SIGN_IN_REQUIRED');

    await trx
      .updateTable('users')
      .set({ password_hash: passwordHash, updated_at: now.toISOString() })
      .where('id', '=', user.id)
      .execute();
    await clearFailures(trx, [attemptKey]);
    await forgetDevices(trx, user.id, meta.deviceToken ?? null);
    await enqueueMail(trx, now, {
      kind: 'password_changed',
      userId: user.id,
      to: user.email,
      message: passwordChangedMessage({
        at: now,
        address: meta.ip,
        device: deviceName(describeDevice(meta.userAgent)),
        portalUrl: ctx.config.publicUrl.origin + '/',
      }),
    });
    await recordAudit(trx, now, {
      event: 'password.changed',
      actor: user,
      target: user,
      ip: meta.ip,
    });
    if (ended > 0) {
      await recordAudit(trx, now, {
        event: 'sessions.ended',
        actor: user,
        target: user,
        ip: meta.ip,
        detail: { sessions: ended, reason: 'password changed' },
      });
    }
    return { sessionsEnded: ended };
  });

  ctx.mailQueued();
  return result;
}

/**
 * Every field's problem at once, so the person fixes the form in one go.
 * A wrong current password is audited: in a row they mean someone is
 * guessing.
 */
async function formProblems(
  ctx: DomainContext,
  session: ActiveSession,
  input: PasswordChange,
  meta: RequestMeta,
): Promise<Record<string, string>> {
  const { user } = session;
  const fields: Record<string, string> = {};

  const problem = passwordProblem(input.newPassword, {
    email: user.email,
    firstName: user.first_name,
    lastName: user.last_name,
  });
  if (problem) fields.newPassword = problem;
  if (input.newPassword !== input.confirmPassword) {
    fields.confirmPassword = 'The two new passwords do not match.';
  }

  const matches = user.password_hash
    ? await verifyPassword(user.password_hash, input.currentPassword)
    : false;
  if (!matches) {
    fields.currentPassword = 'This is not your current password.';
    await recordAudit(ctx.db, ctx.clock(), {
      event: 'password.change_failed',
      actor: user,
      target: user,
      ip: meta.ip,
      detail: { reason: 'wrong_current_password' },
    });
  }
  return fields;
}
