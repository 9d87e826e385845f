/**
 * "Forgot your password?": anyone may ask for a reset link for any
 * address. The answer never says whether the address has an account (ASVS
 * 6.3.8): the same words, the same status and, from a floor on, the same
 * time; only an active user is actually sent a link.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { recordAudit } from '../audit/audit.ts';
import { AppError } from '../errors.ts';
import { findUserByEmail, normaliseEmail } from '../users/user.ts';
import { HOUR, type DomainContext, type RequestMeta } from './context.ts';
import { sendResetLink } from './reset-link.ts';
import { spendAllowances, type Allowance } from './throttle.ts';
import { inTransaction } from '../db/transaction.ts';

/** OWASP Forgot Password Cheat Sheet: limit per account (inbox flooding). */
export const RESETS_PER_ADDRESS: Allowance = {
  limit: 3,
  windowMs: HOUR,
  message: 'Too many reset links were asked for this address.',
};

/** ASVS 2.2.1 anti-automation: one client cannot sweep many addresses. */
export const RESETS_PER_CLIENT: Allowance = {
  limit: 20,
  windowMs: HOUR,
  message: 'Too many password resets were asked for from your network.',
};

/**
 * ASVS 6.3.8, no enumeration by time: every answer takes at least this
 * long, well above the few milliseconds that writing the link and the
 * email adds for a real account, so that work never shows.
 */
export const ANSWER_FLOOR_MS = 300;

/** The one answer, whoever the address belongs to. */
export const RESET_REQUESTED =
  'If an account uses that address, we have sent a link to reset its ' +
  'password. Check your inbox.';

/** Sends a reset link if `email` is an active user's; answers alike. */
export async function requestPasswordReset(
  ctx: DomainContext,
  email: string,
  meta: RequestMeta,
): Promise<void> {
  const started = performance.now();
  try {
    await spendAndSend(ctx, email, meta);
  } finally {
    const left = started + ANSWER_FLOOR_MS - performance.now();
    if (left > 0) await sleep(left);
  }
}

async function spendAndSend(
  ctx: DomainContext,
  email: string,
  meta: RequestMeta,
): Promise<void> {
  const address = normaliseEmail(email);
  const client = meta.ip ?? 'unknown';

  try {
    // Unknown addresses are counted like known ones, so a 429 says nothing
    // either. Spent first, in a transaction of its own: one office's
    // counter is wanted by every request from it, and would make the
    // transaction below collide with all of them.
    await spendAllowances(ctx.db, ctx.clock(), [
      { key: `reset:email:${address}`, allowance: RESETS_PER_ADDRESS },
      { key: `reset:client:${client}`, allowance: RESETS_PER_CLIENT },
    ]);

    const sent = await inTransaction(ctx.db, async (trx) => {
      const now = ctx.clock();

      // Invited users have no password to reset (their invitation is the
      // way in) and disabled users may not come back this way.
      const user = await findUserByEmail(trx, address);
      const active = user?.status === 'active';
      if (active) await sendResetLink(ctx, trx, user, null);

      const outcome = active ? 'sent' : (user?.status ?? 'unknown_email');
      await recordAudit(trx, now, {
        event: 'password.reset_requested',
        target: user ?? null,
        ip: meta.ip,
        // The schema let through only an address, never a mistyped secret.
        detail: { email: address, outcome },
      });
      return active;
    });
    if (sent) ctx.mailQueued();
  } catch (error) {
    if (error instanceof AppError && error.code === 'TOO_MANY_REQUESTS') {
      await recordAudit(ctx.db, ctx.clock(), {
        event: 'password.reset_requested',
        ip: meta.ip,
        detail: { email: address, outcome: 'throttled' },
      });
    }
    throw error;
  }
}
