/**
 * The outbox: mail is written here in the transaction of the change that
 * causes it, and a sender delivers it later. An SMTP outage therefore
 * delays mail but never loses it and never fails the change.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { newId } from '../auth/secrets.ts';
import type { Message } from './templates.tsx';

export type MailKind =
  | 'invitation'
  | 'security_code'
  | 'two_factor_changed'
  | 'code_failures'
  | 'password_changed'
  | 'password_reset'
  | 'password_reset_done';

export interface OutgoingMail {
  kind: MailKind;
  userId: string | null;
  to: string;
  message: Message;
  /** After this the message is useless and is dropped unsent. */
  discardAfter?: Date;
}

/**
 * Queues one message; call inside the transaction of the change.
 * TODO(limitation: outbox-plaintext) the body stays readable in the table
 * until it is sent or expires; the sender erases it then.
 */
export async function enqueueMail(
  db: Kysely<Database>,
  now: Date,
  mail: OutgoingMail,
): Promise<string> {
  const id = newId();
  await db
    .insertInto('outbox')
    .values({
      id,
      kind: mail.kind,
      user_id: mail.userId,
      to_address: mail.to,
      subject: mail.message.subject,
      text_body: mail.message.text,
      html_body: mail.message.html,
      created_at: now.toISOString(),
      attempts: 0,
      next_attempt_at: now.toISOString(),
      lease_until: null,
      sent_at: null,
      discard_after: mail.discardAfter?.toISOString() ?? null,
      discarded_at: null,
      last_error: null,
    })
    .execute();
  return id;
}
