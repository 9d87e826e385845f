/**
 * "Sign out everywhere" for a user (ASVS 5.0 7.4.5: administrators can end
 * a user's sessions): every session and every half-done sign-in ends at
 * once, and the user signs in again from scratch.
 */
import type { SessionsEnded } from '../../api/schemas.ts';
import { recordAudit } from '../audit/audit.ts';
import type { DomainContext, RequestMeta } from '../auth/context.ts';
import { endAllSessionsOf } from '../auth/session.ts';
import { userOrNotFound, type UserRecord } from '../users/user.ts';
import { inTransaction } from '../db/transaction.ts';

/** Ends all of a user's sessions and pending sign-ins; audited. */
export async function signOutEverywhere(
  ctx: DomainContext,
  admin: UserRecord,
  id: string,
  meta: RequestMeta,
): Promise<SessionsEnded> {
  return inTransaction(ctx.db, async (trx) => {
    const user = await userOrNotFound(trx, id);

    const { ended } = await endAllSessionsOf(trx, id);
    await recordAudit(trx, ctx.clock(), {
      event: 'sessions.ended',
      actor: admin,
      target: user,
      ip: meta.ip,
      detail: {
        sessions: ended,
        reason: 'signed out everywhere by an administrator',
      },
    });
    return { sessions: ended };
  });
}
