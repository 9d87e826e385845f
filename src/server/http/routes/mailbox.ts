/**
 * The local mailbox, for running Callvault with no SMTP server. It shows
 * every message (codes included), so it exists only in that mode and
 * answers only requests from this machine.
 */
import type { FastifyInstance } from 'fastify';
import type { MailboxMessage } from '../../../api/schemas.ts';
import type { DomainContext } from '../../auth/context.ts';
import { AppError } from '../../errors.ts';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);
const SHOWN = 100;
/** Headers a reverse proxy adds: the request really came from elsewhere. */
const RELAYED = ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-real-ip', 'via'];

export function mailboxRoutes(app: FastifyInstance, ctx: DomainContext): void {
  app.get('/api/mailbox', async (request) => {
    // The Host must name this machine too: a site that re-points its own
    // name at 127.0.0.1 (DNS rebinding) would otherwise read the codes. A
    // proxy on this machine relaying a stranger counts as a stranger.
    const named =
      request.host === ctx.config.publicUrl.host ||
      LOOPBACK_NAMES.has(request.hostname);
    const relayed = RELAYED.some((header) => request.headers[header] !== undefined);
    if (!LOOPBACK.has(request.ip) || !named || relayed) {
      throw new AppError('MAILBOX_LOCAL_ONLY');
    }

    const rows = await ctx.db
      .selectFrom('mailbox')
      .selectAll()
      .orderBy('received_at', 'desc')
      .limit(SHOWN)
      .execute();
    const messages: MailboxMessage[] = rows.map((row) => ({
      id: row.id,
      receivedAt: row.received_at,
      to: row.to_address,
      from: row.from_address,
      subject: row.subject,
      text: row.text_body,
    }));
    return { messages };
  });
}
