/**
 * A real SMTP listener on loopback for tests: nodemailer talks SMTP to it,
 * mailparser reads what arrives. It can refuse mail, to act out an outage.
 */
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string;
  receivedAt: number;
}

export class TestSmtp {
  readonly mails: ReceivedMail[] = [];
  /** While true, every message is refused with a temporary error. */
  refusing = false;
  private server: SMTPServer;
  private waiters: Array<() => void> = [];
  port = 0;

  constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, _session, callback) => {
        if (this.refusing) {
          stream.resume();
          stream.on('end', () => {
            const error = new Error('mailbox unavailable') as Error & {
              responseCode: number;
            };
            error.responseCode = 451;
            callback(error);
          });
          return;
        }
        simpleParser(stream)
          .then((parsed) => {
            const to = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to;
            this.mails.push({
              to: to?.value[0]?.address ?? '',
              from: parsed.from?.value[0]?.address ?? '',
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
              receivedAt: Date.now(),
            });
            for (const wake of this.waiters.splice(0)) wake();
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    return `smtp://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Mails to one address, oldest first. */
  to(address: string): ReceivedMail[] {
    return this.mails.filter((m) => m.to.toLowerCase() === address.toLowerCase());
  }

  /** Waits for the `count`-th mail to `address` (1-based), up to `ms`. */
  async waitFor(address: string, count = 1, ms = 10_000): Promise<ReceivedMail> {
    const deadline = Date.now() + ms;
    for (;;) {
      const mails = this.to(address);
      if (mails.length >= count) return mails[count - 1]!;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`no mail #${count} to ${address} within ${ms} ms`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

/** The 6-digit code in a security-code email. */
export function codeIn(mail: ReceivedMail): string {
  const match = mail.text.match(/security code is (\d{6})/);
  if (!match) throw new Error(`no code in: ${mail.text}`);
  return match[1]!;
}

/** The invitation link in an invitation email. */
export function linkIn(mail: ReceivedMail): string {
  const match = mail.text.match(/https?:\/\/\S+\/invitation#\S+/);
  if (!match) throw new Error(`no link in: ${mail.text}`);
  return match[0];
}
