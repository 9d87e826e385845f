/**
 * Email security codes: made, sent, checked. The limits below are the
 * product's promises; each names the rule it keeps.
 */
import type { Kysely } from 'kysely';
import { countRecentEvents, recordAudit } from '../audit/audit.ts';
import type { Database } from '../db/schema.ts';
import { AppError, fieldError } from '../errors.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { securityCodeMessage } from '../mail/templates.tsx';
import type { UserRecord } from '../users/user.ts';
import { HOUR, later, MINUTE, type DomainContext, type RequestMeta } from './context.ts';
import type { PendingRecord } from './pending-sign-in.ts';
import { hashSecurityCode, newSecurityCode, sameDigest } from './secrets.ts';
import { warnOfRepeatedCodeFailures } from './security-notices.ts';
import {
  checkFailures,
  CLIENT_FAILURES,
  noteFailure,
  spendAllowances,
} from './throttle.ts';

/** NIST 800-63B 5.1.3.2, ASVS 2.7.2: a code lives 10 minutes. */
export const CODE_LIFETIME_MS = 10 * MINUTE;
/** Wrong entries one pending sign-in may make before it is void. */
export const CODE_TRIES_PER_SIGN_IN = 5;
/**
 * Wrong codes one account may see in an hour, whatever the resends and
 * sign-ins (NIST 800-63B 5.2.2: rate-limit codes under 64 bits).
 */
export const CODE_FAILURES_PER_HOUR = 10;
/** "Send a new code" waits this long between sends. */
export const CODE_RESEND_WAIT_MS = MINUTE;
/** Codes one account may be sent in an hour: stops mail flooding. */
export const CODE_SENDS_PER_HOUR = 10;
/** New codes one client address may ask for in an hour, over all accounts. */
export const CODE_RESENDS_PER_CLIENT_HOUR = 30;

function secondsUntil(from: Date, to: Date): number {
  return Math.max(1, Math.ceil((to.getTime() - from.getTime()) / 1000));
}

/** Refuses when the account has had too many codes sent this hour. */
export async function checkSendBudget(
  ctx: DomainContext,
  db: Kysely<Database>,
  user: UserRecord,
): Promise<void> {
  const now = ctx.clock();
  const sent = await countRecentEvents(db, user.id, 'code.sent', later(now, -HOUR));
  if (sent.count >= CODE_SENDS_PER_HOUR && sent.oldest) {
    throw new AppError('CODE_SEND_LIMIT', {
      retryAfter: secondsUntil(now, later(new Date(sent.oldest), HOUR)),
    });
  }
}

/**
 * Makes a new code for a pending sign-in, replacing any earlier one, and
 * queues the email. Call inside a transaction, after `checkSendBudget`.
 */
export async function issueCode(
  ctx: DomainContext,
  db: Kysely<Database>,
  pending: PendingRecord,
  user: UserRecord,
  meta: RequestMeta,
): Promise<void> {
  const now = ctx.clock();
  const code = newSecurityCode();
  const expiresAt = later(now, CODE_LIFETIME_MS);

  await db
    .updateTable('pending_sign_ins')
    .set({
      code_hash: hashSecurityCode(pending.id, code),
      code_sent_at: now.toISOString(),
      code_expires_at: expiresAt.toISOString(),
    })
    .where('id', '=', pending.id)
    .execute();

  await enqueueMail(db, now, {
    kind: 'security_code',
    userId: user.id,
    to: user.email,
    message: securityCodeMessage(code, CODE_LIFETIME_MS / MINUTE),
    discardAfter: expiresAt,
  });
  await recordAudit(db, now, {
    event: 'code.sent',
    actor: user,
    target: user,
    ip: meta.ip,
    detail: { via: pending.via },
  });
}

export type CodeCheck =
  | { ok: true }
  | { ok: false; error: AppError; voidSignIn: boolean };

/**
 * Checks a code against a pending sign-in, inside the caller's
 * transaction. Every wrong entry is counted before the answer is given;
 * the caller consumes the pending sign-in on success.
 */
export async function checkCode(
  ctx: DomainContext,
  db: Kysely<Database>,
  pending: PendingRecord,
  user: UserRecord,
  entered: string,
  meta: RequestMeta,
): Promise<CodeCheck> {
  const now = ctx.clock();

  // Something that cannot be a code cannot be right either: it is sent back
  // to the field and costs no try. Full-width digits count as digits.
  const digits = entered.normalize('NFKC').replace(/[\s-]/g, '');
  if (!/^\d{6}$/.test(digits)) {
    return {
      ok: false,
      voidSignIn: false,
      error: fieldError('code', 'Enter the 6-digit code from the email.'),
    };
  }

  // One address guessing across many accounts is slowed down too.
  const clientKey = meta.ip ? `code:client:${meta.ip}` : null;
  if (clientKey) await checkFailures(db, now, [clientKey]);

  // The account budget comes first: once spent, not even the right code
  // is looked at, so guessing gains nothing.
  const failed = await countRecentEvents(db, user.id, 'code.failed', later(now, -HOUR));
  if (failed.count >= CODE_FAILURES_PER_HOUR && failed.oldest) {
    const retryAfter = secondsUntil(now, later(new Date(failed.oldest), HOUR));
    return {
      ok: false,
      voidSignIn: false,
      error: new AppError('CODE_BUDGET_USED', { retryAfter }),
    };
  }

  if (!pending.code_hash || !pending.code_expires_at) {
    return { ok: false, voidSignIn: false, error: new AppError('CODE_EXPIRED') };
  }
  if (new Date(pending.code_expires_at) <= now) {
    return { ok: false, voidSignIn: false, error: new AppError('CODE_EXPIRED') };
  }

  const right = sameDigest(hashSecurityCode(pending.id, digits), pending.code_hash);
  if (right) return { ok: true };

  // Counted with a relative UPDATE so that simultaneous wrong entries all
  // add up, whatever order they commit in.
  const counted = await db
    .updateTable('pending_sign_ins')
    .set((eb) => ({ code_failures: eb('code_failures', '+', 1) }))
    .where('id', '=', pending.id)
    .returning('code_failures')
    .executeTakeFirst();
  if (clientKey) await noteFailure(db, now, clientKey, CLIENT_FAILURES);
  await recordAudit(db, now, {
    event: 'code.failed',
    actor: user,
    target: user,
    ip: meta.ip,
  });
  await warnOfRepeatedCodeFailures(ctx, db, user, meta);

  const failures = counted?.code_failures ?? CODE_TRIES_PER_SIGN_IN;
  const left = CODE_TRIES_PER_SIGN_IN - failures;
  if (left <= 0) {
    await db.deleteFrom('pending_sign_ins').where('id', '=', pending.id).execute();
    return { ok: false, voidSignIn: true, error: new AppError('CODE_TRIES_USED') };
  }
  return {
    ok: false,
    voidSignIn: false,
    error: new AppError('CODE_WRONG', {
      message:
        `That security code is not right. ${left} ` +
        `${left === 1 ? 'try' : 'tries'} left.`,
    }),
  };
}

/** When "Send a new code" may next be used for a pending sign-in. */
export function resendAvailableAt(pending: PendingRecord): Date {
  const sentAt = pending.code_sent_at ? new Date(pending.code_sent_at) : new Date(0);
  return later(sentAt, CODE_RESEND_WAIT_MS);
}

/**
 * Counts a "Send a new code" against the client address's allowance, in a
 * transaction of its own (see spendAllowances): call it before the
 * transaction that issues the code, not inside it.
 */
export async function spendResendAllowance(
  ctx: DomainContext,
  db: Kysely<Database>,
  meta: RequestMeta,
): Promise<void> {
  if (!meta.ip) return;
  await spendAllowances(db, ctx.clock(), [
    {
      key: `resend:client:${meta.ip}`,
      allowance: {
        limit: CODE_RESENDS_PER_CLIENT_HOUR,
        windowMs: HOUR,
        message: 'Too many new codes were asked for from this address.',
      },
    },
  ]);
}

/** Refuses a resend asked for sooner than the wait allows. */
export function checkResendWait(ctx: DomainContext, pending: PendingRecord): void {
  const now = ctx.clock();
  const availableAt = resendAvailableAt(pending);
  if (availableAt > now) {
    throw new AppError('CODE_RESEND_WAIT', {
      retryAfter: secondsUntil(now, availableAt),
      message:
        `Please wait ${secondsUntil(now, availableAt)} seconds before ` +
        'asking for another code.',
    });
  }
}
