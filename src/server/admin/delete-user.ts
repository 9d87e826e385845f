/**
 * Deleting a user. Their sessions, pending sign-ins and links go with the
 * row (ON DELETE CASCADE); mail still queued to them is discarded unsent.
 * Their audit events stay: each row keeps the email and name the user had
 * when it was written, so the history still reads after they are gone.
 */
import type { Kysely } from 'kysely';
import { recordAudit } from '../audit/audit.ts';
import type { DomainContext, RequestMeta } from '../auth/context.ts';
import { endAllSessionsOf } from '../auth/session.ts';
import type { Database } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import {
  displayName,
  userOrNotFound,
  otherActiveAdministrators,
  rolesOf,
  type UserRecord,
} from '../users/user.ts';
import { inTransaction } from '../db/transaction.ts';

/** Deletes a user for good; refuses the last administrator and oneself. */
export async function deleteUser(
  ctx: DomainContext,
  admin: UserRecord,
  id: string,
  meta: RequestMeta,
): Promise<void> {
  // One transaction: of two administrators deleting each other at once,
  // the second finds no other active administrator and is refused.
  await inTransaction(ctx.db, async (trx) => {
    const user = await userOrNotFound(trx, id);

    const activeAdmin = user.role_administrator && user.status === 'active';
    if (activeAdmin && (await otherActiveAdministrators(trx, user.id)) === 0) {
      throw new AppError('LAST_ADMINISTRATOR');
    }
    // Deleting oneself would end the very session asking, with no undo.
    if (user.id === admin.id) throw new AppError('CANNOT_DELETE_SELF');

    const now = ctx.clock();
    const { ended } = await endAllSessionsOf(trx, id);
    const discarded = await discardQueuedMail(trx, now, user);
    await trx.deleteFrom('users').where('id', '=', id).execute();

    await recordAudit(trx, now, {
      event: 'user.deleted',
      actor: admin,
      target: user,
      ip: meta.ip,
      detail: {
        name: displayName(user),
        roles: rolesOf(user),
        status: user.status,
        sessions: ended,
        mailDiscarded: discarded,
      },
    });
  });
}

/**
 * Mail not yet sent to a deleted user would hand a stranger to that
 * address a live invitation or code; it is dropped and its body erased.
 */
async function discardQueuedMail(
  db: Kysely<Database>,
  now: Date,
  user: UserRecord,
): Promise<number> {
  const result = await db
    .updateTable('outbox')
    .set({ discarded_at: now.toISOString(), text_body: null, html_body: null })
    .where((eb) =>
      eb.or([eb('user_id', '=', user.id), eb('to_address', '=', user.email)]),
    )
    .where('sent_at', 'is', null)
    .where('discarded_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
