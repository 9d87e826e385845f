/**
 * Password reset links: single use, valid one hour, sent to the address
 * the account already has. "Forgot your password?" and an administrator's
 * "Send password reset" send the same link in the same email.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { passwordResetMessage } from '../mail/templates.tsx';
import type { UserRecord } from '../users/user.ts';
import { HOUR, later, type DomainContext } from './context.ts';
import { createLink } from './links.ts';

/** OWASP Forgot Password Cheat Sheet: single use, short-lived tokens. */
export const RESET_LINK_LIFETIME_MS = HOUR;

/**
 * Makes a new reset link for `user` (voiding the earlier one, so only the
 * latest email works) and queues the email, in the caller's transaction.
 * `requestedBy` is the administrator who sent it, or null for the user.
 */
export async function sendResetLink(
  ctx: DomainContext,
  trx: Kysely<Database>,
  user: UserRecord,
  requestedBy: UserRecord | null,
): Promise<void> {
  const now = ctx.clock();
  const expiresAt = later(now, RESET_LINK_LIFETIME_MS);

  const token = await createLink(trx, now, {
    purpose: 'reset',
    userId: user.id,
    createdBy: requestedBy?.id ?? null,
    expiresAt,
  });

  // From PUBLIC_URL only: a forged Host or X-Forwarded-Host header must
  // not point a reset link, and the token in it, at another site.
  const portalUrl = ctx.config.publicUrl.origin + '/';
  const link = new URL(`/reset-password#${token}`, ctx.config.publicUrl).href;

  await enqueueMail(trx, now, {
    kind: 'password_reset',
    userId: user.id,
    to: user.email,
    message: passwordResetMessage({ portalUrl, link, expiresAt }),
    discardAfter: expiresAt,
  });
}
