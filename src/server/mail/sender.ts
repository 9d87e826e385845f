/**
 * Delivers the outbox. Each message is claimed with a lease before it is
 * sent, so that two senders never send it twice and a sender that dies
 * mid-send leaves a claim that simply runs out. Failures back off.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Logger } from 'pino';
import { skipLocked } from '../db/dialect.ts';
import { isDatabaseUnavailable } from '../db/errors.ts';
import type { Database } from '../db/schema.ts';
import { SEND_AT_ONCE, type MailTransport } from './transports.ts';

/** How long one claim lasts; longer than the SMTP timeouts added up. */
const LEASE_MS = 60_000;
const POLL_MS = 1_000;
const BATCH = 20;
const BACKOFF_FIRST_MS = 5_000;
const BACKOFF_MAX_MS = 10 * 60_000;

/** 5 s, 10 s, 20 s … up to 10 minutes between tries. */
export function backoffMs(attempts: number): number {
  return Math.min(BACKOFF_FIRST_MS * 2 ** Math.max(0, attempts - 1), BACKOFF_MAX_MS);
}

/** A claimed message, with the body it is sent with. */
type Claimed = Selectable<Database['outbox']> & {
  text_body: string;
  html_body: string;
};

export interface SenderOptions {
  db: Kysely<Database>;
  transport: MailTransport;
  from: string;
  log: Logger;
  clock: () => Date;
}

export class OutboxSender {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  /**
   * Messages this process is sending now. Never claimed again by it, even
   * when a send outlasts its lease or the clock jumps past it; only a
   * sender that died lets its claims run out for others.
   */
  private readonly sending = new Set<string>();

  constructor(private readonly options: SenderOptions) {}

  /** Starts polling; `kick` makes it look at once. */
  start(): void {
    this.stopped = false;
    this.kick();
  }

  /**
   * Waits for the current round to finish and stops polling. The transport
   * stays open (a test may still run rounds by hand); its owner closes it.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Asks for a delivery round now (after a commit that queued mail). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.deliverDue()
      .then(() => undefined)
      .catch((error: unknown) => {
        // An outage is expected news, once a second while it lasts: the
        // reason, not a stack each time.
        this.options.log.warn(
          isDatabaseUnavailable(error)
            ? { event: 'outbox.database_unavailable', reason: String(error) }
            : { event: 'outbox.round_failed', err: error },
        );
      })
      .finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        if (this.again) {
          this.again = false;
          this.kick();
        } else {
          this.timer = setTimeout(() => this.kick(), POLL_MS);
        }
      });
  }

  /** One round: drop what is stale, then claim and send what is due. */
  async deliverDue(): Promise<number> {
    const { db, clock } = this.options;
    const now = clock().toISOString();

    await db
      .updateTable('outbox')
      .set({ discarded_at: now, text_body: null, html_body: null })
      .where('sent_at', 'is', null)
      .where('discarded_at', 'is', null)
      .where('discard_after', '<', now)
      .execute();

    // Up to SEND_AT_ONCE claims at a time, sent side by side, until
    // nothing is due or the round has done its share.
    let sent = 0;
    for (let done = 0; done < BATCH; done += SEND_AT_ONCE) {
      const claims: Claimed[] = [];
      for (let i = 0; i < SEND_AT_ONCE; i += 1) {
        const claimed = await this.claimNext();
        if (!claimed) break;
        claims.push(claimed);
      }
      const results = await Promise.all(
        claims.map((claimed) =>
          this.deliver(claimed).finally(() => this.sending.delete(claimed.id)),
        ),
      );
      sent += results.filter(Boolean).length;
      if (claims.length < SEND_AT_ONCE) break;
    }
    return sent;
  }

  /**
   * TODO(limitation: outbox-once) a sender killed between the SMTP server's
   * acceptance and marking the row sent leaves a claim that runs out, and
   * the message goes again.
   *
   * Claims the oldest due message with a lease and returns it, or nothing
   * when none is due. One statement is the claim: of several senders (in
   * one process or many), each gets a different message, and on
   * PostgreSQL none waits for another's lock (SKIP LOCKED).
   */
  private async claimNext(): Promise<Claimed | undefined> {
    const { db, clock } = this.options;
    const now = clock().toISOString();

    const claimed = await db
      .updateTable('outbox')
      .set((eb) => ({
        lease_until: new Date(Date.parse(now) + LEASE_MS).toISOString(),
        attempts: eb('attempts', '+', 1),
      }))
      .where('id', '=', (eb) =>
        skipLocked(
          db,
          eb
            .selectFrom('outbox')
            .select('id')
            .where('sent_at', 'is', null)
            .where('discarded_at', 'is', null)
            .where('next_attempt_at', '<=', now)
            .where((inner) =>
              inner.or([
                inner('lease_until', 'is', null),
                inner('lease_until', '<', now),
              ]),
            )
            .where((inner) =>
              inner.or([
                inner('discard_after', 'is', null),
                inner('discard_after', '>=', now),
              ]),
            )
            .$if(this.sending.size > 0, (query) =>
              query.where('id', 'not in', [...this.sending]),
            )
            .orderBy('created_at')
            .limit(1),
        ),
      )
      .returningAll()
      .executeTakeFirst();
    if (!claimed || claimed.text_body === null || claimed.html_body === null) {
      return undefined;
    }
    this.sending.add(claimed.id);
    return { ...claimed, text_body: claimed.text_body, html_body: claimed.html_body };
  }

  private async deliver(claimed: Claimed): Promise<boolean> {
    const { db, clock, transport, log, from } = this.options;
    const id = claimed.id;

    try {
      await transport.send({
        from,
        to: claimed.to_address,
        subject: claimed.subject,
        text: claimed.text_body,
        html: claimed.html_body,
      });
    } catch (error) {
      const retryAt = new Date(clock().getTime() + backoffMs(claimed.attempts));
      await db
        .updateTable('outbox')
        .set({
          lease_until: null,
          next_attempt_at: retryAt.toISOString(),
          last_error: describe(error),
        })
        .where('id', '=', id)
        .execute();
      log.warn({
        event: 'outbox.send_failed',
        mailId: id,
        kind: claimed.kind,
        attempts: claimed.attempts,
        retryAt: retryAt.toISOString(),
        reason: describe(error),
      });
      return false;
    }

    // Once delivered, the body (which may hold a link or a code) is erased.
    await db
      .updateTable('outbox')
      .set({
        sent_at: clock().toISOString(),
        lease_until: null,
        last_error: null,
        text_body: null,
        html_body: null,
      })
      .where('id', '=', id)
      .execute();
    log.info({
      event: 'outbox.sent',
      mailId: id,
      kind: claimed.kind,
      to: claimed.to_address,
      subject: claimed.subject,
      via: transport.name,
    });
    return true;
  }
}

function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.slice(0, 300);
}
