/**
 * A pending sign-in is what a browser holds between steps: after the
 * password or the invitation link while a security code is owed, and while
 * a new user must still choose a password. It is not a session: only the
 * routes of its own step accept it.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Database, PendingSignInsTable } from '../db/schema.ts';
import type { UserRecord } from '../users/user.ts';
import { later, MINUTE, type DomainContext } from './context.ts';
import { hashToken, newId, newToken } from './secrets.ts';

/** Long enough to read mail and ask for a new code a few times. */
export const PENDING_LIFETIME_MS = 30 * MINUTE;

export type PendingRecord = Selectable<PendingSignInsTable>;
export type Stage = PendingRecord['stage'];

/** Starts a pending sign-in with a fresh token. */
export async function startPending(
  ctx: DomainContext,
  db: Kysely<Database>,
  user: UserRecord,
  stage: Stage,
  via: PendingRecord['via'],
): Promise<{ token: string; pending: PendingRecord }> {
  const now = ctx.clock();
  const token = newToken();
  const pending: PendingRecord = {
    id: newId(),
    token_hash: hashToken(token),
    user_id: user.id,
    stage,
    via,
    created_at: now.toISOString(),
    expires_at: later(now, PENDING_LIFETIME_MS).toISOString(),
    code_hash: null,
    code_sent_at: null,
    code_expires_at: null,
    code_failures: 0,
    security_version: user.security_version,
  };
  await db.insertInto('pending_sign_ins').values(pending).execute();
  return { token, pending };
}

/**
 * The live pending sign-in a token opens, with its user. Expired ones, and
 * ones whose user was disabled meanwhile, are void.
 */
export async function findPending(
  ctx: DomainContext,
  db: Kysely<Database>,
  token: string,
): Promise<{ pending: PendingRecord; user: UserRecord } | null> {
  const pending = await db
    .selectFrom('pending_sign_ins')
    .selectAll()
    .where('token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!pending) return null;

  const user = await db
    .selectFrom('users')
    .selectAll()
    .where('id', '=', pending.user_id)
    .executeTakeFirst();

  const expired = new Date(pending.expires_at) <= ctx.clock();
  const superseded = user?.security_version !== pending.security_version;
  if (expired || superseded || !user || user.status === 'disabled') {
    await db.deleteFrom('pending_sign_ins').where('id', '=', pending.id).execute();
    return null;
  }
  return { pending, user };
}

/**
 * Ends a pending sign-in. Returns whether this call ended it, which makes
 * it the atomic "use once" step: of two racing callers only one sees true.
 */
export async function consumePending(
  db: Kysely<Database>,
  pending: PendingRecord,
): Promise<boolean> {
  const result = await db
    .deleteFrom('pending_sign_ins')
    .where('id', '=', pending.id)
    .where('stage', '=', pending.stage)
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

/** Ends the pending sign-in a token opens (cancel). */
export async function cancelPending(ctx: DomainContext, token: string): Promise<void> {
  await ctx.db
    .deleteFrom('pending_sign_ins')
    .where('token_hash', '=', hashToken(token))
    .execute();
}
