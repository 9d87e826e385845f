/**
 * "Send password reset" on a user's edit page. The administrator starts
 * the reset but never chooses or sees the password (ASVS 6.4.6): the user
 * gets the same emailed link as "Forgot your password?" gives.
 */
import type { UserRow } from '../../api/schemas.ts';
import { recordAudit } from '../audit/audit.ts';
import type { DomainContext, RequestMeta } from '../auth/context.ts';
import { sendResetLink } from '../auth/reset-link.ts';
import { AppError } from '../errors.ts';
import { userOrNotFound, type UserRecord } from '../users/user.ts';
import { getUser } from './users.ts';
import { inTransaction } from '../db/transaction.ts';

/** Emails an active user a new reset link; earlier links stop working. */
export async function sendPasswordReset(
  ctx: DomainContext,
  admin: UserRecord,
  id: string,
  meta: RequestMeta,
): Promise<UserRow> {
  await inTransaction(ctx.db, async (trx) => {
    const user = await userOrNotFound(trx, id);
    if (user.status !== 'active') throw new AppError('RESET_NEEDS_ACTIVE');

    await sendResetLink(ctx, trx, user, admin);
    await recordAudit(trx, ctx.clock(), {
      event: 'password.reset_sent',
      actor: admin,
      target: user,
      ip: meta.ip,
    });
  });

  ctx.mailQueued();
  return getUser(ctx, id);
}
