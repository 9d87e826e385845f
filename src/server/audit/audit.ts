/**
 * The audit trail: who did what to whom, when (UTC) and from where (ASVS
 * V16). Events are written in the transaction of the change they describe,
 * so the trail never claims what did not happen. `detail` never holds a
 * password, code or token.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

export const AUDIT_EVENTS = [
  'setup.completed',
  'sign_in.succeeded',
  'sign_in.failed',
  'sign_out',
  'code.sent',
  'code.failed',
  'code.accepted',
  'invitation.sent',
  'invitation.accepted',
  'invitation.refused',
  'password.personalised',
  'user.created',
  'user.updated',
  'sessions.ended',
  'access.denied',
] as const;
export type AuditEvent = (typeof AUDIT_EVENTS)[number];

export interface Person {
  id: string;
  email: string;
}

export interface AuditEntry {
  event: AuditEvent;
  actor?: Person | null;
  target?: Person | null;
  ip?: string | null;
  detail?: Record<string, unknown>;
}

/** Records one audit event at `at`. */
export async function recordAudit(
  db: Kysely<Database>,
  at: Date,
  entry: AuditEntry,
): Promise<void> {
  await db
    .insertInto('audit_events')
    .values({
      at: at.toISOString(),
      event: entry.event,
      actor_user_id: entry.actor?.id ?? null,
      actor_email: entry.actor?.email ?? null,
      target_user_id: entry.target?.id ?? null,
      target_email: entry.target?.email ?? null,
      ip: entry.ip ?? null,
      detail: entry.detail ? JSON.stringify(entry.detail) : null,
    })
    .execute();
}

/** How many `event`s concerned one user since `since`. */
export async function countRecentEvents(
  db: Kysely<Database>,
  userId: string,
  event: AuditEvent,
  since: Date,
): Promise<{ count: number; oldest: string | null }> {
  const row = await db
    .selectFrom('audit_events')
    .select((eb) => [
      eb.fn.countAll<number>().as('count'),
      eb.fn.min('at').as('oldest'),
    ])
    .where('target_user_id', '=', userId)
    .where('event', '=', event)
    .where('at', '>', since.toISOString())
    .executeTakeFirstOrThrow();
  return { count: Number(row.count), oldest: row.oldest };
}
