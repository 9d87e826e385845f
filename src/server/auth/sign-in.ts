/**
 * The sign-in journey: password or invitation link, then the security code
 * when two-factor is on, then a new user's own password, then a session.
 * Each step hands the browser a new token, so none carries over from the
 * step before (no fixation), and each step checks it is the one owed.
 */
import { emailField } from '../../api/schemas.ts';
import { recordAudit } from '../audit/audit.ts';
import type { Database } from '../db/schema.ts';
import { AppError, fieldError } from '../errors.ts';
import { needsSecurityCode } from '../policy/policy.ts';
import {
  findUserByEmail,
  findUserById,
  normaliseEmail,
  type UserRecord,
} from '../users/user.ts';
import type { Kysely } from 'kysely';
import type { DomainContext, RequestMeta } from './context.ts';
import { isExpiredInvitation } from './invitation.ts';
import { consumeLink } from './links.ts';
import {
  hashPassword,
  passwordProblem,
  verifyAgainstNothing,
  verifyPassword,
} from './password.ts';
import {
  consumePending,
  findPending,
  startPending,
  type PendingRecord,
} from './pending-sign-in.ts';
import {
  checkCode,
  checkResendWait,
  checkSendBudget,
  issueCode,
  resendAvailableAt,
  spendResendAllowance,
} from './security-code.ts';
import { recognisedDevice, rememberDevice } from './devices.ts';
import { endAllSessionsOf, startSession } from './session.ts';
import {
  ACCOUNT_FAILURES,
  clearFailures,
  CLIENT_FAILURES,
  reserveAttempt,
} from './throttle.ts';
import { inTransaction } from '../db/transaction.ts';

export type Outcome =
  | { step: 'code' | 'personalise'; pendingToken: string }
  | {
      step: 'home';
      sessionToken: string;
      sessionExpiresAt: Date;
      deviceToken: string;
    };

/**
 * Email and password; same answer and time for every kind of failure, and
 * throttled per address typed and per client (auth/throttle.ts).
 */
export async function signInWithPassword(
  ctx: DomainContext,
  email: string,
  password: string,
  meta: RequestMeta,
): Promise<Outcome> {
  const user = await findUserByEmail(ctx.db, email);
  const keys = await signInThrottleKeys(ctx, email, user, meta);
  await reserveAttempt(ctx.db, ctx.clock(), keys.entries);

  const matches = user?.password_hash
    ? await verifyPassword(user.password_hash, password)
    : await verifyAgainstNothing(password);

  if (!user || !matches || user.status !== 'active') {
    await recordAudit(ctx.db, ctx.clock(), {
      event: 'sign_in.failed',
      target: user ?? null,
      ip: meta.ip,
      detail: {
        // Only what looks like an address: a password typed into the
        // Email field by mistake must not land in the audit trail.
        email: emailField.safeParse(email).success ? email.trim() : '(not an email address)',
        reason: !user ? 'unknown_email' : !matches ? 'wrong_password' : user.status,
      },
    });
    throw new AppError('SIGN_IN_FAILED');
  }

  // The right password ends the streak, even if a limit below refuses.
  await clearFailures(ctx.db, keys.all);

  const outcome = await inTransaction(ctx.db, async (trx) => {
    // The password check took a while; an administrator may have changed
    // the user meanwhile (ticked two-factor, disabled them). Any such
    // change raises the security version, and the sign-in starts over.
    const current = await findUserById(trx, user.id);
    if (current?.security_version !== user.security_version) {
      throw new AppError('SIGN_IN_FAILED');
    }
    if (await needsSecurityCode(trx, current)) {
      await checkSendBudget(ctx, trx, current);
    }
    return nextStep(ctx, trx, current, 'password', meta);
  });
  ctx.mailQueued();
  return outcome;
}

/**
 * What a password sign-in is counted under. A browser this user completed
 * a sign-in on before is counted on its own, and only so: failures others
 * cause on the address, or from the same office network, do not keep the
 * owner out. Anyone else is counted under the address typed (whether or
 * not it has an account) and under their client address.
 */
async function signInThrottleKeys(
  ctx: DomainContext,
  email: string,
  user: UserRecord | undefined,
  meta: RequestMeta,
) {
  const device = user
    ? await recognisedDevice(ctx.db, meta.deviceToken ?? null, user.id)
    : null;
  const entries = device
    ? [{ key: `sign-in:device:${device}`, policy: ACCOUNT_FAILURES }]
    : [
        {
          key: `sign-in:email:${normaliseEmail(email).slice(0, 254)}`,
          policy: ACCOUNT_FAILURES,
        },
        ...(meta.ip
          ? [{ key: `sign-in:client:${meta.ip}`, policy: CLIENT_FAILURES }]
          : []),
      ];
  return { entries, all: entries.map((entry) => entry.key) };
}

/** The invitation link: single use, then the code and a new password. */
export async function acceptInvitation(
  ctx: DomainContext,
  token: string,
  meta: RequestMeta,
): Promise<Outcome> {
  const result = await inTransaction(ctx.db, async (trx) => {
    const now = ctx.clock();
    const link = await consumeLink(trx, now, 'invitation', token);
    const user = link?.userId
      ? await trx
          .selectFrom('users')
          .selectAll()
          .where('id', '=', link.userId)
          .executeTakeFirst()
      : undefined;

    // A disabled user's link is used up like any other, and refused.
    if (!user || user.status !== 'invited') {
      const expired = !link && (await isExpiredInvitation(trx, now, token));
      await recordAudit(trx, now, {
        event: 'invitation.refused',
        target: user ?? null,
        ip: meta.ip,
        ...(expired ? { detail: { reason: 'expired' } } : {}),
      });
      return expired ? 'expired' : null;
    }

    await recordAudit(trx, now, {
      event: 'invitation.accepted',
      actor: user,
      target: user,
      ip: meta.ip,
    });
    return nextStep(ctx, trx, user, 'invitation', meta);
  });

  if (result === 'expired') throw new AppError('INVITATION_EXPIRED');
  if (!result) throw new AppError('LINK_INVALID');
  ctx.mailQueued();
  return result;
}

/**
 * Where a user goes once their first proof is accepted: the code step when
 * two-factor applies (their box or the company's Email MFA), else their
 * own password if they have none, else home.
 */
async function nextStep(
  ctx: DomainContext,
  trx: Kysely<Database>,
  user: UserRecord,
  via: PendingRecord['via'],
  meta: RequestMeta,
): Promise<Outcome> {
  if (await needsSecurityCode(trx, user)) {
    const { token, pending } = await startPending(ctx, trx, user, 'code', via);
    await issueCode(ctx, trx, pending, user, meta);
    return { step: 'code', pendingToken: token };
  }
  return afterSecondFactor(ctx, trx, user, via, meta);
}

async function afterSecondFactor(
  ctx: DomainContext,
  trx: Kysely<Database>,
  user: UserRecord,
  via: PendingRecord['via'],
  meta: RequestMeta,
): Promise<Outcome> {
  if (user.must_personalise) {
    const { token } = await startPending(ctx, trx, user, 'personalise', via);
    return { step: 'personalise', pendingToken: token };
  }

  const now = ctx.clock();
  const { token, expiresAt } = await startSession(ctx, trx, user, meta);
  const deviceToken = await rememberDevice(trx, now, user.id, meta.deviceToken ?? null);
  await trx
    .updateTable('users')
    .set({ last_sign_in_at: now.toISOString() })
    .where('id', '=', user.id)
    .execute();
  await recordAudit(trx, now, {
    event: 'sign_in.succeeded',
    actor: user,
    target: user,
    ip: meta.ip,
    // Whether a code was owed: the user's box or the company's Email MFA.
    detail: { via, twoFactor: await needsSecurityCode(trx, user) },
  });
  return {
    step: 'home',
    sessionToken: token,
    sessionExpiresAt: expiresAt,
    deviceToken,
  };
}

/** Loads the pending sign-in a browser holds, for the step it is at. */
export async function pendingAt(
  ctx: DomainContext,
  token: string | undefined,
  stage: PendingRecord['stage'],
  db: Kysely<Database> = ctx.db,
): Promise<{ pending: PendingRecord; user: UserRecord }> {
  const found = token ? await findPending(ctx, db, token) : null;
  if (!found) throw new AppError('SIGN_IN_REQUIRED');
  if (found.pending.stage !== stage) {
    throw new AppError(stage === 'code' ? 'PASSWORD_REQUIRED' : 'CODE_REQUIRED');
  }
  return found;
}

/** What the code page shows. */
export async function codeStatus(ctx: DomainContext, token: string | undefined) {
  const { pending, user } = await pendingAt(ctx, token, 'code');
  return {
    resendAvailableAt: resendAvailableAt(pending).toISOString(),
    codeExpiresAt: pending.code_expires_at ?? ctx.clock().toISOString(),
    sentTo: maskEmail(user.email),
  };
}

/**
 * Checks a security code. The whole check runs in one transaction, and the
 * pending sign-in is consumed with a conditional DELETE, so of many
 * simultaneous right answers one wins and the rest find nothing.
 */
export async function verifySecurityCode(
  ctx: DomainContext,
  token: string | undefined,
  code: string,
  meta: RequestMeta,
): Promise<Outcome> {
  const result = await inTransaction(ctx.db, async (trx) => {
    const { pending, user } = await pendingAt(ctx, token, 'code', trx);
    const check = await checkCode(ctx, trx, pending, user, code, meta);
    if (!check.ok) return check;

    if (!(await consumePending(trx, pending))) {
      return { ok: false as const, voidSignIn: true, error: new AppError('SIGN_IN_REQUIRED') };
    }
    if (meta.ip) await clearFailures(trx, [`code:client:${meta.ip}`]);
    await recordAudit(trx, ctx.clock(), {
      event: 'code.accepted',
      actor: user,
      target: user,
      ip: meta.ip,
    });
    return {
      ok: true as const,
      outcome: await afterSecondFactor(ctx, trx, user, pending.via, meta),
    };
  });

  if (!result.ok) throw result.error;
  return result.outcome;
}

/** "Send a new code": waits 60 s and counts against the hourly budget. */
export async function resendSecurityCode(
  ctx: DomainContext,
  token: string | undefined,
  meta: RequestMeta,
) {
  // Asked too soon: refused before the client's allowance is spent.
  checkResendWait(ctx, (await pendingAt(ctx, token, 'code')).pending);
  await spendResendAllowance(ctx, ctx.db, meta);

  await inTransaction(ctx.db, async (trx) => {
    const { pending, user } = await pendingAt(ctx, token, 'code', trx);
    checkResendWait(ctx, pending);
    await checkSendBudget(ctx, trx, user);
    await issueCode(ctx, trx, pending, user, meta);
  });
  ctx.mailQueued();
  return codeStatus(ctx, token);
}

/**
 * A new user's own password. Ends whatever else the user had open, then
 * starts their first real session.
 */
export async function personalisePassword(
  ctx: DomainContext,
  token: string | undefined,
  newPassword: string,
  confirmPassword: string,
  meta: RequestMeta,
): Promise<Outcome> {
  const { user } = await pendingAt(ctx, token, 'personalise');

  const problem = passwordProblem(newPassword, {
    email: user.email,
    firstName: user.first_name,
    lastName: user.last_name,
  });
  if (problem) throw fieldError('newPassword', problem);
  if (newPassword !== confirmPassword) {
    throw fieldError('confirmPassword', 'The two passwords do not match.');
  }
  const passwordHash = await hashPassword(newPassword);

  return inTransaction(ctx.db, async (trx) => {
    const { pending, user: current } = await pendingAt(ctx, token, 'personalise', trx);
    if (!(await consumePending(trx, pending))) throw new AppError('SIGN_IN_REQUIRED');

    const now = ctx.clock();
    const { securityVersion } = await endAllSessionsOf(trx, current.id);
    await trx
      .updateTable('users')
      .set({
        password_hash: passwordHash,
        must_personalise: 0,
        status: current.status === 'invited' ? 'active' : current.status,
        updated_at: now.toISOString(),
      })
      .where('id', '=', current.id)
      .execute();
    await recordAudit(trx, now, {
      event: 'password.personalised',
      actor: current,
      target: current,
      ip: meta.ip,
    });

    const updated = {
      ...current,
      must_personalise: 0,
      status: 'active' as const,
      security_version: securityVersion,
    };
    return afterSecondFactor(ctx, trx, updated, pending.via, meta);
  });
}

/** "a•••@example.com": enough to recognise, not enough to harvest. */
export function maskEmail(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  return `${local.slice(0, 1)}•••@${domain}`;
}
