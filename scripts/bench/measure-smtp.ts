/**
 * Context for measurement 6: what one message costs the SMTP listener
 * itself, sent the way Callvault sends (nodemailer, a new connection per
 * message). The listener (smtp-server) pauses before its greeting on each
 * new connection to catch clients that talk too early; whatever that and
 * the SMTP exchange cost is part of every outbox figure.
 */
import nodemailer from 'nodemailer';
import { summarise, type LatencySummary } from './stats.ts';

export async function measureListenerCost(
  smtpUrl: string,
  count: number,
): Promise<LatencySummary> {
  const transport = nodemailer.createTransport({ url: smtpUrl });
  const times: number[] = [];
  try {
    for (let i = 0; i < count; i += 1) {
      const startedAt = performance.now();
      await transport.sendMail({
        from: 'bench@example.com',
        to: 'listener-probe@example.com',
        subject: 'listener probe',
        text: 'Measures the listener, not Callvault.',
      });
      times.push(performance.now() - startedAt);
    }
  } finally {
    transport.close();
  }
  return summarise(times);
}
