/**
 * Sessions: the state a browser reaches once every sign-in step is done.
 * The cookie holds 256 random bits; the database holds only their hash.
 * Idle and absolute lifetimes follow ASVS 3.3.2 (30 minutes, 12 hours);
 * Settings > Security may override both (see policy/policy.ts).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import {
  policyOf,
  POLICY_COLUMNS,
  readPolicy,
  sessionLimits,
} from '../policy/policy.ts';
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
  user: Pick<UserRecord, 'id' | 'security_version'>,
  meta: RequestMeta,
): Promise<{ token: string; expiresAt: Date }> {
  const now = ctx.clock();
  const token = newToken();
  const { maxMs } = sessionLimits(ctx.config, await readPolicy(db));
  const expiresAt = later(now, maxMs);

  await db
    .insertInto('sessions')
    .values({
      id: newId(),
      token_hash: hashToken(token),
      user_id: user.id,
      created_at: now.toISOString(),
      last_seen_at: now.toISOString(),
      expires_at: expiresAt.toISOString(),
      ip: meta.ip,
      user_agent: meta.userAgent?.slice(0, 400) ?? null,
      security_version: user.security_version,
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
 * An expired session is deleted on sight. The lifetimes are the policy's
 * of this moment: a shorter absolute lifetime saved since sign-in counts
 * from the session's start, so it ends sessions already open; a longer
 * one never stretches the expiry a session was given at sign-in.
 */
export async function findSession(
  ctx: DomainContext,
  token: string,
): Promise<ActiveSession | null> {
  const now = ctx.clock();
  const row = await ctx.db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    // The policy in force comes with the session, in the same round trip.
    .leftJoin('settings', (join) => join.on('settings.id', '=', 1))
    .selectAll('users')
    .select(POLICY_COLUMNS)
    .select([
      'sessions.id as session_id',
      'sessions.created_at as session_created_at',
      'sessions.last_seen_at as session_last_seen_at',
      'sessions.expires_at as session_expires_at',
      'sessions.security_version as session_security_version',
    ])
    .where('sessions.token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!row) return null;

  const { idleMs, maxMs } = sessionLimits(ctx.config, policyOf(row));
  const idleLimit = later(new Date(row.session_last_seen_at), idleMs);
  const ageLimit = later(new Date(row.session_created_at), maxMs);
  const expired =
    new Date(row.session_expires_at) <= now ||
    ageLimit <= now ||
    idleLimit <= now;
  const superseded = row.session_security_version !== row.security_version;
  if (expired || superseded || row.status !== 'active' || row.must_personalise) {
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

  const {
    session_id,
    session_created_at,
    session_last_seen_at,
    session_expires_at,
    session_security_version,
    two_factor_mode,
    session_idle_minutes,
    session_max_hours,
    ...user
  } = row;
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
 * Raising the security version also voids a session that a sign-in racing
 * with this change writes after it (it carries the old version).
 */
export async function endAllSessionsOf(
  db: Kysely<Database>,
  userId: string,
): Promise<{ ended: number; securityVersion: number }> {
  const user = await db
    .updateTable('users')
    .set((eb) => ({ security_version: eb('security_version', '+', 1) }))
    .where('id', '=', userId)
    .returning('security_version')
    .executeTakeFirst();

  const result = await db
    .deleteFrom('sessions')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  await db.deleteFrom('pending_sign_ins').where('user_id', '=', userId).execute();

  return {
    ended: Number(result.numDeletedRows),
    securityVersion: user?.security_version ?? 0,
  };
}

/**
 * Ends every session and pending sign-in of a user except the session
 * `keepId`, which goes on under the raised security version (ASVS 3.3.3:
 * a password change ends the other sessions). Run it in a transaction:
 * between the raise and the re-stamp the kept session is void too. Only a
 * session still on the old version is re-stamped, so one that an earlier
 * change ended cannot come back to life here.
 */
export async function endOtherSessionsOf(
  db: Kysely<Database>,
  userId: string,
  keepId: string,
): Promise<{ ended: number; kept: boolean }> {
  const user = await db
    .updateTable('users')
    .set((eb) => ({ security_version: eb('security_version', '+', 1) }))
    .where('id', '=', userId)
    .returning('security_version')
    .executeTakeFirstOrThrow();

  const ended = await db
    .deleteFrom('sessions')
    .where('user_id', '=', userId)
    .where('id', '!=', keepId)
    .executeTakeFirst();
  const kept = await db
    .updateTable('sessions')
    .set({ security_version: user.security_version })
    .where('id', '=', keepId)
    .where('user_id', '=', userId)
    .where('security_version', '=', user.security_version - 1)
    .executeTakeFirst();
  await db.deleteFrom('pending_sign_ins').where('user_id', '=', userId).execute();

  return {
    ended: Number(ended.numDeletedRows),
    kept: Number(kept.numUpdatedRows) === 1,
  };
}
