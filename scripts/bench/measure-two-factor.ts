/**
 * Measurement 3, full two-factor sign-ins, and 6, the outbox: many seeded
 * two-factor users sign in at once, each through every step a person
 * takes: password, the code email read off the SMTP listener, the code.
 * The outbox figure is the time from the password step's answer to the
 * listener accepting the email with the code.
 *
 * Each user signs in once: an account may be sent 10 codes an hour, and
 * the benchmark stays inside that rule rather than around it.
 */
import { codeIn, type TestSmtp } from '../../test/support/smtp.ts';
import { postJson, signIn, updateCookies } from './http.ts';
import type { SeededUser } from './seed.ts';

/** Longest wait for one code email before the flow counts as failed. */
const MAIL_WAIT_MS = 15_000;

export interface TwoFactorLoad {
  base: string;
  smtp: TestSmtp;
  users: readonly SeededUser[];
  password: string;
  /** Sign-ins in flight at once. */
  concurrency: number;
  seconds: number;
}

export interface TwoFactorResult {
  completed: number;
  failed: number;
  /** First failure, in words, when any failed. */
  firstFailure: string | null;
  perSecond: number;
  /** Whole sign-in, password to session, ms. */
  flowMs: number[];
  /** Password answer to code email accepted by the listener, ms. */
  outboxMs: number[];
  seconds: number;
  /** Users used up; the next run must start after them. */
  used: number;
}

function emptyResult(): TwoFactorResult {
  return {
    completed: 0,
    failed: 0,
    firstFailure: null,
    perSecond: 0,
    flowMs: [],
    outboxMs: [],
    seconds: 0,
    used: 0,
  };
}

/** Runs the flow in `concurrency` lanes until the time is up. */
export async function measureTwoFactor(
  options: TwoFactorLoad,
): Promise<TwoFactorResult> {
  const result = emptyResult();
  const startedAt = Date.now();
  const deadline = startedAt + options.seconds * 1000;

  const lane = async () => {
    while (Date.now() < deadline && result.used < options.users.length) {
      const user = options.users[result.used]!;
      result.used += 1;
      try {
        const timing = await twoFactorSignIn(options, user);
        result.completed += 1;
        result.flowMs.push(timing.flowMs);
        result.outboxMs.push(timing.outboxMs);
      } catch (error) {
        result.failed += 1;
        result.firstFailure ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, lane));

  result.seconds = (Date.now() - startedAt) / 1000;
  result.perSecond = result.completed / result.seconds;
  return result;
}

/** One person's sign-in: password, code from the email, session. */
async function twoFactorSignIn(
  options: Pick<TwoFactorLoad, 'base' | 'smtp' | 'password'>,
  user: SeededUser,
): Promise<{ flowMs: number; outboxMs: number }> {
  const startedAt = Date.now();
  const first = await signIn(options.base, user.email, options.password);
  const answeredAt = Date.now();
  if (first.status !== 200 || first.step !== 'code') {
    throw new Error(`password step answered ${first.status} ${first.step ?? ''}`.trim());
  }

  const mail = await options.smtp.waitFor(user.email, 1, MAIL_WAIT_MS);
  const response = await postJson(
    options.base,
    '/api/sign-in/code',
    { code: codeIn(mail) },
    first.cookies,
  );
  const body = (await response.json().catch(() => ({}))) as { step?: string };
  const cookies = updateCookies(first.cookies, response);
  if (response.status !== 200 || body.step !== 'home' || !cookies.callvault_session) {
    throw new Error(`code step answered ${response.status} ${body.step ?? ''}`.trim());
  }
  return {
    flowMs: Date.now() - startedAt,
    outboxMs: mail.receivedAt - answeredAt,
  };
}

/**
 * The outbox at rest: two-factor sign-ins one after another, so that the
 * time to the email is the outbox's own and not a queue behind others.
 */
export async function measureOutboxAtRest(
  options: Pick<TwoFactorLoad, 'base' | 'smtp' | 'password' | 'users'>,
  count: number,
): Promise<TwoFactorResult> {
  const result = emptyResult();
  const startedAt = Date.now();
  for (const user of options.users.slice(0, count)) {
    result.used += 1;
    try {
      const timing = await twoFactorSignIn(options, user);
      result.completed += 1;
      result.flowMs.push(timing.flowMs);
      result.outboxMs.push(timing.outboxMs);
    } catch (error) {
      result.failed += 1;
      result.firstFailure ??= error instanceof Error ? error.message : String(error);
    }
  }
  result.seconds = (Date.now() - startedAt) / 1000;
  result.perSecond = result.completed / result.seconds;
  return result;
}
