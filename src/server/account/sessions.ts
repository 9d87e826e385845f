/**
 * My account > Sessions: the user's own sessions, and signing them out
 * one at a time or all but this one (ASVS 3.3.4). Every query
 * names the user, so another user's session id is simply not found.
 */
import type { AccountSession } from '../../api/schemas.ts';
import { recordAudit } from '../audit/audit.ts';
import type { DomainContext, RequestMeta } from '../auth/context.ts';
import { endOtherSessionsOf, type ActiveSession } from '../auth/session.ts';
import { AppError } from '../errors.ts';
import { readPolicy, sessionLimits } from '../policy/policy.ts';
import { describeDevice } from './device.ts';
import { inTransaction } from '../db/transaction.ts';

/** The user's live sessions, most recently active first. */
export async function listSessions(
  ctx: DomainContext,
  session: ActiveSession,
): Promise<AccountSession[]> {
  const now = ctx.clock();
  const { idleMs, maxMs } = sessionLimits(ctx.config, await readPolicy(ctx.db));
  const idleSince = new Date(now.getTime() - idleMs);
  const startedSince = new Date(now.getTime() - maxMs);

  // The same tests as findSession, so that no row is listed that would
  // no longer open anything.
  const rows = await ctx.db
    .selectFrom('sessions')
    .select(['id', 'created_at', 'last_seen_at', 'ip', 'user_agent'])
    .where('user_id', '=', session.user.id)
    .where('security_version', '=', session.user.security_version)
    .where('expires_at', '>', now.toISOString())
    .where('last_seen_at', '>', idleSince.toISOString())
    .where('created_at', '>', startedSince.toISOString())
    .orderBy('last_seen_at', 'desc')
    .orderBy('created_at', 'desc')
    .execute();

  return rows.map((row) => ({
    id: row.id,
    ...describeDevice(row.user_agent),
    address: row.ip,
    startedAt: row.created_at,
    lastActiveAt: row.last_seen_at,
    current: row.id === session.sessionId,
  }));
}

/**
 * Ends one of the user's sessions. Another user's id, or one that has
 * ended, is SESSION_NOT_FOUND alike: the answer says nothing about
 * sessions that are not the user's.
 */
export async function signOutSession(
  ctx: DomainContext,
  session: ActiveSession,
  sessionId: string,
  meta: RequestMeta,
): Promise<{ current: boolean }> {
  const { user } = session;

  await inTransaction(ctx.db, async (trx) => {
    const result = await trx
      .deleteFrom('sessions')
      .where('id', '=', sessionId)
      .where('user_id', '=', user.id)
      .executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) {
      throw new AppError('SESSION_NOT_FOUND');
    }

    await recordAudit(trx, ctx.clock(), {
      event: 'sessions.ended',
      actor: user,
      target: user,
      ip: meta.ip,
      detail: { sessions: 1, reason: 'signed out by the user' },
    });
  });
  return { current: sessionId === session.sessionId };
}

/**
 * "Sign out everywhere else": every session but this one ends.
 * TODO(limitation: session-reauth) neither this nor signOutSession asks
 * for the password again; a password change does, and ends them too.
 */
export async function signOutOtherSessions(
  ctx: DomainContext,
  session: ActiveSession,
  meta: RequestMeta,
): Promise<{ ended: number }> {
  const { user } = session;

  return inTransaction(ctx.db, async (trx) => {
    const { ended, kept } = await endOtherSessionsOf(trx, user.id, session.sessionId);
    // This session ended while the request ran; nothing was asked of it.
    if (!kept) throw new AppError('SIGN_IN_REQUIRED');

    await recordAudit(trx, ctx.clock(), {
      event: 'sessions.ended',
      actor: user,
      target: user,
      ip: meta.ip,
      detail: { sessions: ended, reason: 'signed out everywhere else' },
    });
    return { ended };
  });
}
