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
  'code.failures_notified',
  'invitation.sent',
  'invitation.accepted',
  'invitation.refused',
  'password.personalised',
  'password.reset_requested',
  'password.reset_sent',
  'password.reset',
  'password.reset_refused',
  'password.changed',
  'password.change_failed',
  'user.created',
  'user.updated',
  'user.deleted',
  'audit.exported',
  'sessions.ended',
  'access.denied',
  'policy.changed',
] as const;
export type AuditEvent = (typeof AUDIT_EVENTS)[number];

export interface Person {
  id: string;
  email: string;
  /** Kept in the row as they were, so the trail outlives a rename. */
  first_name?: string;
  last_name?: string;
}

/** "First Last" as the person was called then; null when unnamed. */
function nameOf(person: Person | null | undefined): string | null {
  const name = `${person?.first_name ?? ''} ${person?.last_name ?? ''}`.trim();
  return name === '' ? null : name;
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
      actor_name: nameOf(entry.actor),
      target_user_id: entry.target?.id ?? null,
      target_email: entry.target?.email ?? null,
      target_name: nameOf(entry.target),
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
