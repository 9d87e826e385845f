/**
 * Sessions: the state a browser reaches once every sign-in step is done.
 * The cookie holds 256 random bits; the database holds only their hash.
 * Idle and absolute lifetimes follow ASVS 3.3.2 (30 minutes, 12 hours).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { UserRecord } from '../users/user.ts';
import { later, MINUTE, type DomainContext, type RequestMeta } from './context.ts';
import { hashToken, newId, newToken } from './secrets.ts';

/**
 * Writing last-seen on every request would make every read a write.
 * TODO(limitation: idle-precision) so idle time is counted from up to a
 * minute before the last request; never more than a tenth of the idle
 * timeout, or a short one (SESSION_IDLE_MINUTES=1) would end busy sessions.
 */
const TOUCH_EVERY_MS = MINUTE;

/** Starts a session with a fresh token (ASVS 3.2.1: new at every sign-in). */
export async function startSession(
  ctx: DomainContext,
  db: Kysely<Database>,
  userId: string,
  meta: RequestMeta,
): Promise<{ token: string; expiresAt: Date }> {
  const now = ctx.clock();
  const token = newToken();
  const expiresAt = later(now, ctx.config.sessionMaxHours * 60 * MINUTE);

  await db
    .insertInto('sessions')
    .values({
      id: newId(),
      token_hash: hashToken(token),
      user_id: userId,
      created_at: now.toISOString(),
      last_seen_at: now.toISOString(),
      expires_at: expiresAt.toISOString(),
      ip: meta.ip,
      user_agent: meta.userAgent?.slice(0, 400) ?? null,
    })
    .execute();
  return { token, expiresAt };
}

export interface ActiveSession {
  sessionId: string;
  user: UserRecord;
}

/**
 * The session a token opens, if it is still alive and its user active.
 * An expired session is deleted on sight.
 */
export async function findSession(
  ctx: DomainContext,
  token: string,
): Promise<ActiveSession | null> {
  const now = ctx.clock();
  const row = await ctx.db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('users')
    .select([
      'sessions.id as session_id',
      'sessions.last_seen_at as session_last_seen_at',
      'sessions.expires_at as session_expires_at',
    ])
    .where('sessions.token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!row) return null;

  const idleMs = ctx.config.sessionIdleMinutes * MINUTE;
  const idleLimit = later(new Date(row.session_last_seen_at), idleMs);
  const expired =
    new Date(row.session_expires_at) <= now || idleLimit <= now;
  if (expired || row.status !== 'active' || row.must_personalise) {
    await ctx.db.deleteFrom('sessions').where('id', '=', row.session_id).execute();
    return null;
  }

  const touchEvery = Math.min(TOUCH_EVERY_MS, idleMs / 10);
  if (now.getTime() - new Date(row.session_last_seen_at).getTime() >= touchEvery) {
    await ctx.db
      .updateTable('sessions')
      .set({ last_seen_at: now.toISOString() })
      .where('id', '=', row.session_id)
      .execute();
  }

  const { session_id, session_last_seen_at, session_expires_at, ...user } = row;
  return { sessionId: session_id, user };
}

/** Ends the one session a token opens. */
export async function endSession(ctx: DomainContext, token: string): Promise<void> {
  await ctx.db
    .deleteFrom('sessions')
    .where('token_hash', '=', hashToken(token))
    .execute();
}

/**
 * Ends every session and pending sign-in of a user: after their password,
 * roles, status or two-factor change, nothing started before may go on.
 */
export async function endAllSessionsOf(
  db: Kysely<Database>,
  userId: string,
  except?: { sessionId: string },
): Promise<number> {
  let query = db.deleteFrom('sessions').where('user_id', '=', userId);
  if (except) query = query.where('id', '!=', except.sessionId);
  const result = await query.executeTakeFirst();

  await db.deleteFrom('pending_sign_ins').where('user_id', '=', userId).execute();
  return Number(result.numDeletedRows);
}
