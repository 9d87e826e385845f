/**
 * Finishing a password reset with the emailed link. The link proves only
 * that someone reads the mailbox, so finishing signs nobody in: the next
 * sign-in asks for the password and, where two-factor applies, the
 * security code (ASVS 6.4.3: a reset must not bypass a second factor).
 */
import type { Kysely } from 'kysely';
import { recordAudit } from '../audit/audit.ts';
import type { Database } from '../db/schema.ts';
import { AppError, fieldError } from '../errors.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { passwordResetDoneMessage } from '../mail/templates.tsx';
import { findUserById, type UserRecord } from '../users/user.ts';
import type { DomainContext, RequestMeta } from './context.ts';
import { consumeLink, peekLink } from './links.ts';
import { hashPassword, passwordProblem } from './password.ts';
import { endAllSessionsOf } from './session.ts';
import { forgetDevices } from './devices.ts';
import { clearFailures } from './throttle.ts';
import { inTransaction } from '../db/transaction.ts';

/**
 * Sets a new password with a reset link. The password is checked before
 * the link is spent, so a refused password leaves the link usable; then
 * one transaction uses the link up (of simultaneous tries exactly one
 * wins), sets the password and ends every session and pending sign-in.
 */
export async function resetPassword(
  ctx: DomainContext,
  token: string,
  newPassword: string,
  confirmPassword: string,
  meta: RequestMeta,
): Promise<void> {
  const user = await ownerOfLink(ctx, token, meta);

  const problem = passwordProblem(newPassword, {
    email: user.email,
    firstName: user.first_name,
    lastName: user.last_name,
  });
  if (problem) throw fieldError('newPassword', problem);
  if (newPassword !== confirmPassword) {
    throw fieldError('confirmPassword', 'The two passwords do not match.');
  }
  const passwordHash = await hashPassword(newPassword);

  const done = await inTransaction(ctx.db, async (trx) => {
    const now = ctx.clock();
    const link = await consumeLink(trx, now, 'reset', token);
    const current = link?.userId
      ? await findUserById(trx, link.userId)
      : undefined;

    if (!current || current.status !== 'active') {
      // Used meanwhile (by a simultaneous try) or its user disabled.
      const reason = link ? current?.status : 'used';
      await refusal(trx, now, current ?? user, reason, meta);
      return false;
    }

    await setPassword(ctx, trx, current, passwordHash, meta);
    return true;
  });

  if (!done) throw new AppError('RESET_LINK_INVALID');
  ctx.mailQueued();
}

/**
 * The change itself, in the transaction that used the link up: nothing
 * started before it may go on, and the owner hears of it.
 */
async function setPassword(
  ctx: DomainContext,
  trx: Kysely<Database>,
  current: UserRecord,
  passwordHash: string,
  meta: RequestMeta,
): Promise<void> {
  const now = ctx.clock();
  const { ended } = await endAllSessionsOf(trx, current.id);
  await trx
    .updateTable('users')
    .set({ password_hash: passwordHash, updated_at: now.toISOString() })
    .where('id', '=', current.id)
    .execute();
  // The owner is back in control: a lock-out run up by someone guessing
  // at this account must not keep them out now.
  await clearFailures(trx, [`sign-in:email:${current.email_normalized}`]);
  await forgetDevices(trx, current.id);

  await enqueueMail(trx, now, {
    kind: 'password_reset_done',
    userId: current.id,
    to: current.email,
    message: passwordResetDoneMessage({
      at: now,
      address: meta.ip,
      portalUrl: ctx.config.publicUrl.origin + '/',
    }),
  });
  await recordAudit(trx, now, {
    event: 'password.reset',
    actor: current,
    target: current,
    ip: meta.ip,
    detail: { sessionsEnded: ended },
  });
}

/**
 * The active user a live link belongs to, or a refusal. A disabled or
 * invited user's link is used up and refused like a dead one, so that it
 * cannot wait for the account to come back.
 */
async function ownerOfLink(
  ctx: DomainContext,
  token: string,
  meta: RequestMeta,
): Promise<UserRecord> {
  const now = ctx.clock();
  const link = await peekLink(ctx.db, now, 'reset', token);
  const user = link?.userId
    ? await findUserById(ctx.db, link.userId)
    : undefined;
  if (user?.status === 'active') return user;

  await inTransaction(ctx.db, async (trx) => {
    if (link) await consumeLink(trx, now, 'reset', token);
    await refusal(trx, now, user, link ? user?.status : 'invalid', meta);
  });
  throw new AppError('RESET_LINK_INVALID');
}

async function refusal(
  db: Kysely<Database>,
  now: Date,
  user: UserRecord | undefined,
  reason: string | undefined,
  meta: RequestMeta,
): Promise<void> {
  await recordAudit(db, now, {
    event: 'password.reset_refused',
    target: user ?? null,
    ip: meta.ip,
    detail: { reason: reason ?? 'no_user' },
  });
}
