/**
 * Invitations: a single-use link, valid 72 hours, that lets a new user in
 * for the first time so they can choose their password.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { invitationMessage } from '../mail/templates.tsx';
import { displayName, type UserRecord } from '../users/user.ts';
import { HOUR, later, type DomainContext } from './context.ts';
import { createLink } from './links.ts';
import { hashToken } from './secrets.ts';

export const INVITATION_LIFETIME_MS = 72 * HOUR;

/**
 * Makes a new invitation link for `user` (voiding older ones) and queues the
 * email, inside the caller's transaction.
 */
export async function sendInvitation(
  ctx: DomainContext,
  trx: Kysely<Database>,
  user: UserRecord,
  inviter: UserRecord,
): Promise<void> {
  const now = ctx.clock();
  const expiresAt = later(now, INVITATION_LIFETIME_MS);

  const token = await createLink(trx, now, {
    purpose: 'invitation',
    userId: user.id,
    createdBy: inviter.id,
    expiresAt,
  });

  // Links come from PUBLIC_URL only, never from request headers, so that
  // a forged Host header cannot point an invitation at another site.
  const portalUrl = ctx.config.publicUrl.origin + '/';
  const link = new URL(`/invitation#${token}`, ctx.config.publicUrl).href;

  await enqueueMail(trx, now, {
    kind: 'invitation',
    userId: user.id,
    to: user.email,
    message: invitationMessage({
      inviterName: displayName(inviter),
      portalUrl,
      link,
      expiresAt,
    }),
    discardAfter: expiresAt,
  });
}

/**
 * Whether a refused invitation token is a real link that simply ran out,
 * so the page can say "expired" rather than "used or replaced". This tells
 * an attacker nothing: only someone holding the 256-bit token can ask, and
 * the answer names no account; it spares a new user a confusing message.
 */
export async function isExpiredInvitation(
  db: Kysely<Database>,
  now: Date,
  token: string,
): Promise<boolean> {
  const link = await db
    .selectFrom('links')
    .select('id')
    .where('token_hash', '=', hashToken(token))
    .where('purpose', '=', 'invitation')
    .where('used_at', 'is', null)
    .where('voided_at', 'is', null)
    .where('expires_at', '<=', now.toISOString())
    .executeTakeFirst();
  return link !== undefined;
}
