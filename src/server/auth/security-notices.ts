/**
 * Security notifications (ASVS 2.2.3, 2.5.5): emails that tell a user
 * that how they sign in changed, or that someone is trying codes on their
 * account. Each is queued in the outbox inside the transaction of the
 * event, so it goes if and only if the event was committed. None carries
 * a code, link or other secret. (The "password changed" email lives with
 * the password change itself.)
 */
import type { Kysely } from 'kysely';
import { countRecentEvents, recordAudit } from '../audit/audit.ts';
import type { Database } from '../db/schema.ts';
import { enqueueMail } from '../mail/outbox.ts';
import {
  codeFailuresMessage,
  twoFactorChangedMessage,
} from '../mail/templates.tsx';
import { displayName, type UserRecord } from '../users/user.ts';
import { HOUR, later, type DomainContext, type RequestMeta } from './context.ts';

/**
 * Wrong codes within an hour after which the owner is warned. Fewer are
 * everyday typos; by the third, either the person is stuck or someone who
 * has their password is guessing.
 */
export const CODE_FAILURES_BEFORE_WARNING = 3;
/** One warning an hour at most, so the warning cannot become a flood. */
export const CODE_WARNING_EVERY_MS = HOUR;

/**
 * Tells `user` that an administrator turned their two-factor on or off.
 * Call inside the transaction that saves the change. A user still invited
 * has no sign-in to change yet, and is not told.
 */
export async function notifyTwoFactorChanged(
  ctx: DomainContext,
  db: Kysely<Database>,
  user: UserRecord,
  admin: UserRecord,
  on: boolean,
): Promise<void> {
  if (user.status === 'invited') return;

  const now = ctx.clock();
  await enqueueMail(db, now, {
    kind: 'two_factor_changed',
    userId: user.id,
    to: user.email,
    message: twoFactorChangedMessage({
      on,
      changedBy: displayName(admin),
      at: now,
      portalUrl: ctx.config.publicUrl.origin + '/',
    }),
  });
}

/**
 * After a wrong code has been recorded: warns the owner once the account
 * has seen CODE_FAILURES_BEFORE_WARNING of them within the hour, unless
 * they were warned in the last hour already. Counting the audit trail
 * (not a per-process counter) keeps this true across instances and
 * restarts. Call inside the transaction that recorded the failure.
 */
export async function warnOfRepeatedCodeFailures(
  ctx: DomainContext,
  db: Kysely<Database>,
  user: UserRecord,
  meta: RequestMeta,
): Promise<void> {
  const now = ctx.clock();
  const lastHour = later(now, -HOUR);
  const failed = await countRecentEvents(db, user.id, 'code.failed', lastHour);
  if (failed.count < CODE_FAILURES_BEFORE_WARNING) return;

  const warned = await countRecentEvents(
    db,
    user.id,
    'code.failures_notified',
    later(now, -CODE_WARNING_EVERY_MS),
  );
  if (warned.count > 0) return;

  await enqueueMail(db, now, {
    kind: 'code_failures',
    userId: user.id,
    to: user.email,
    message: codeFailuresMessage({
      failures: failed.count,
      at: now,
      address: meta.ip,
      portalUrl: ctx.config.publicUrl.origin + '/',
    }),
  });
  await recordAudit(db, now, {
    event: 'code.failures_notified',
    target: user,
    ip: meta.ip,
    detail: { failures: failed.count },
  });
}
