/**
 * Where mail goes: a real SMTP server through nodemailer, or, when no
 * SMTP_URL is set, the local mailbox table that /mailbox shows.
 */
import nodemailer from 'nodemailer';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../db/schema.ts';
import { newId } from '../auth/secrets.ts';

export interface Envelope {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface MailTransport {
  readonly name: 'smtp' | 'mailbox';
  send(envelope: Envelope): Promise<void>;
  close(): void;
}

/** Messages the sender hands to the transport at the same time. */
export const SEND_AT_ONCE = 4;

/** Sends through the SMTP server named by SMTP_URL. */
export function smtpTransport(url: string): MailTransport {
  const transporter = nodemailer.createTransport({
    url,
    // A few connections kept open and reused: a burst of security codes
    // (a shift starting) then goes out side by side, without a new
    // connection and greeting for each message.
    pool: true,
    maxConnections: SEND_AT_ONCE,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  return {
    name: 'smtp',
    async send(envelope) {
      await transporter.sendMail(envelope);
    },
    close: () => transporter.close(),
  };
}

/**
 * Keeps mail in the database for /mailbox, so that a newcomer completes the
 * whole journey on one machine. Logs recipient and subject, never the body.
 */
export function mailboxTransport(
  db: Kysely<Database>,
  log: Logger,
  clock: () => Date,
): MailTransport {
  return {
    name: 'mailbox',
    async send(envelope) {
      await db
        .insertInto('mailbox')
        .values({
          id: newId(),
          received_at: clock().toISOString(),
          to_address: envelope.to,
          from_address: envelope.from,
          subject: envelope.subject,
          text_body: envelope.text,
          html_body: envelope.html,
        })
        .execute();
      log.info(
        { event: 'mailbox.delivered', to: envelope.to, subject: envelope.subject },
        'mail kept in the local mailbox (read it at /mailbox)',
      );
    },
    close: () => undefined,
  };
}
