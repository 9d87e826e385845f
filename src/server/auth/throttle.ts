/**
 * Throttling that slows attackers without locking owners out (ASVS 2.2.1,
 * NIST 800-63B 5.2.2). Counters live in the database, so limits hold
 * across restarts and instances. Two kinds:
 *
 * - failures in a row (wrong passwords): free tries, then a delay that
 *   doubles with each failure up to 15 minutes, and a stop at 100;
 *   a success clears the count;
 * - requests in a window (reset emails, new codes): so many an hour.
 *
 * Keys name what is counted: `sign-in:email:<address>`,
 * `sign-in:client:<ip>`, `sign-in:device:<id>`, `reset:email:<address>` ….
 * Unknown and known addresses are counted alike, so a refusal says nothing
 * about whether an account exists.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { HOUR, later, MINUTE } from './context.ts';
import { withRowLocks } from '../db/transaction.ts';

export interface FailurePolicy {
  /** Failures in a row before any delay. */
  free: number;
  /** Longest single delay. */
  maxDelayMs: number;
  /** After this many failures in a row, no more tries (NIST: <= 100). */
  stopAt: number;
}

/** One account: 5 free tries, then 2 s, 4 s … 15 min, and a stop at 100. */
export const ACCOUNT_FAILURES: FailurePolicy = {
  free: 5,
  maxDelayMs: 15 * MINUTE,
  stopAt: 100,
};

/** One client address: more room, since offices share an address. */
export const CLIENT_FAILURES: FailurePolicy = {
  free: 20,
  maxDelayMs: 15 * MINUTE,
  stopAt: Number.POSITIVE_INFINITY,
};

/**
 * A stop that only a password reset (or, for a known device's own count,
 * a success) lifts. Written out, since times are compared as ISO strings and a
 * six-digit year would sort before this one.
 */
const UNTIL_CLEARED = '9999-12-31T23:59:59.999Z';

/** A failure streak is forgotten a day after its last failure. */
const STREAK_MEMORY_MS = 24 * HOUR;

/** The wait after `failures` failures in a row. */
export function delayAfter(failures: number, policy: FailurePolicy): number {
  if (failures <= policy.free) return 0;
  return Math.min(1000 * 2 ** (failures - policy.free), policy.maxDelayMs);
}

function secondsUntil(now: Date, until: Date): number {
  return Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
}

/** What a person reads while a key waits, or once it has stopped. */
export interface Refusal {
  waiting: (wait: string) => string;
  stopped: string;
}

const SIGN_IN_REFUSAL: Refusal = {
  waiting: (wait) => `Too many failed sign-ins. Try again in ${wait}.`,
  stopped:
    'Sign-in to this account is stopped after too many failed attempts. ' +
    'Use "Forgot your password?" to reset the password, or ask your ' +
    'administrator to send a password reset.',
};

/** Refuses with 429 while any of the keys waits out a delay. */
export async function checkFailures(
  db: Kysely<Database>,
  now: Date,
  keys: string[],
  refusal: Refusal = SIGN_IN_REFUSAL,
): Promise<void> {
  if (keys.length === 0) return;
  const rows = await db
    .selectFrom('throttles')
    .select(['key', 'blocked_until'])
    .where('key', 'in', keys)
    .where('blocked_until', '>', now.toISOString())
    .execute();

  if (rows.some((row) => row.blocked_until === UNTIL_CLEARED)) {
    // No wait ends this; an hour is only when asking again makes sense.
    throw new AppError('ATTEMPTS_STOPPED', {
      retryAfter: HOUR / 1000,
      message: refusal.stopped,
    });
  }
  const until = rows
    .map((row) => new Date(row.blocked_until!))
    .sort((a, b) => b.getTime() - a.getTime())[0];
  if (!until) return;

  const retryAfter = secondsUntil(now, until);
  throw new AppError('TOO_MANY_ATTEMPTS', {
    retryAfter,
    message: refusal.waiting(waitInWords(retryAfter)),
  });
}

/**
 * Counts an attempt before it is judged, and refuses it while a delay
 * runs. Each key's row is locked before it is read, so attempts sent at
 * the same moment, to one instance or several, count one after another:
 * of forty simultaneous wrong passwords, the free tries and one more are
 * judged; the rest wait. A success undoes the count with `clearFailures`.
 */
export async function reserveAttempt(
  db: Kysely<Database>,
  now: Date,
  entries: Array<{ key: string; policy: FailurePolicy }>,
  refusal: Refusal = SIGN_IN_REFUSAL,
): Promise<void> {
  const sorted = byKey(entries);
  await withRowLocks(db, async (trx) => {
    await lockKeys(trx, now, sorted);
    await checkFailures(trx, now, sorted.map((entry) => entry.key), refusal);
    for (const { key, policy } of sorted) {
      await noteFailure(trx, now, key, policy);
    }
  });
}

/**
 * Keys in the one order every transaction locks them in, so that two
 * never hold one key each while waiting for the other's.
 */
function byKey<T extends { key: string }>(items: T[]): T[] {
  return [...items].sort((a, b) => a.key.localeCompare(b.key));
}

/**
 * Makes sure each key has a row and locks it until the transaction ends:
 * an upsert whose update changes nothing. A refusal rolls new rows back.
 * `sorted` comes from byKey.
 */
async function lockKeys(
  db: Kysely<Database>,
  now: Date,
  sorted: Array<{ key: string }>,
) {
  for (const { key } of sorted) await lockKey(db, now, key);
}

async function lockKey(db: Kysely<Database>, now: Date, key: string) {
  const at = now.toISOString();
  await db
    .insertInto('throttles')
    .values({ key, count: 0, window_started_at: at, blocked_until: null, updated_at: at })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet((eb) => ({ key: eb.ref('excluded.key') })),
    )
    .execute();
}

/** Counts one more failure in a row for `key`, and sets its delay. */
export async function noteFailure(
  db: Kysely<Database>,
  now: Date,
  key: string,
  policy: FailurePolicy,
): Promise<number> {
  const at = now.toISOString();
  const forgotten = later(now, -STREAK_MEMORY_MS).toISOString();

  // One upsert, so that simultaneous failures all count.
  const row = await db
    .insertInto('throttles')
    .values({ key, count: 1, window_started_at: at, blocked_until: null, updated_at: at })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet((eb) => ({
        count: eb
          .case()
          .when('throttles.updated_at', '<', forgotten)
          .then(1)
          .else(eb('throttles.count', '+', 1))
          .end(),
        updated_at: at,
      })),
    )
    .returning('count')
    .executeTakeFirstOrThrow();

  const failures = Number(row.count);
  const blockedUntil =
    failures >= policy.stopAt
      ? UNTIL_CLEARED
      : delayAfter(failures, policy) > 0
        ? later(now, delayAfter(failures, policy)).toISOString()
        : null;
  await db
    .updateTable('throttles')
    .set({ blocked_until: blockedUntil })
    .where('key', '=', key)
    .execute();
  return failures;
}

/**
 * Forgets a failure streak (after a success, or an administrator's reset).
 * One key at a time, in reserveAttempt's order: one DELETE of several keys
 * locks them in whatever order PostgreSQL finds them, and deadlocks with
 * attempts that hold one key and wait for the other.
 */
export async function clearFailures(
  db: Kysely<Database>,
  keys: string[],
): Promise<void> {
  for (const { key } of byKey(keys.map((key) => ({ key })))) {
    await db.deleteFrom('throttles').where('key', '=', key).execute();
  }
}

export interface Allowance {
  limit: number;
  windowMs: number;
  /** What the person reads when it is spent. */
  message: string;
}

/**
 * Spends one request of each allowance ("3 reset emails an hour per
 * address, 20 per client"), or refuses with 429 when any is spent: all are
 * checked before any is spent. Runs in a transaction of its own that locks
 * each key's row first, so simultaneous requests, on one instance or
 * several, are counted one after another and none slips past the limit.
 */
export async function spendAllowances(
  db: Kysely<Database>,
  now: Date,
  spends: Array<{ key: string; allowance: Allowance }>,
): Promise<void> {
  const sorted = byKey(spends);
  await withRowLocks(db, async (trx) => {
    await lockKeys(trx, now, sorted);
    for (const spend of sorted) await refuseWhenSpent(trx, now, spend);
    for (const spend of sorted) await spendOne(trx, now, spend);
  });
}

async function refuseWhenSpent(
  db: Kysely<Database>,
  now: Date,
  { key, allowance }: { key: string; allowance: Allowance },
): Promise<void> {
  const windowStart = later(now, -allowance.windowMs).toISOString();
  const row = await db
    .selectFrom('throttles')
    .selectAll()
    .where('key', '=', key)
    .where('window_started_at', '>', windowStart)
    .executeTakeFirst();
  if (!row || row.count < allowance.limit) return;

  const wait = secondsUntil(now, later(new Date(row.window_started_at), allowance.windowMs));
  throw new AppError('TOO_MANY_REQUESTS', {
    retryAfter: wait,
    message: `${allowance.message} Try again in ${waitInWords(wait)}.`,
  });
}

/** One more in the window, or the first of a new window. */
async function spendOne(
  db: Kysely<Database>,
  now: Date,
  { key, allowance }: { key: string; allowance: Allowance },
): Promise<void> {
  const windowStart = later(now, -allowance.windowMs).toISOString();
  const at = now.toISOString();
  await db
    .updateTable('throttles')
    .set((eb) => ({
      count: eb
        .case()
        .when('window_started_at', '<=', windowStart)
        .then(1)
        .else(eb('count', '+', 1))
        .end(),
      window_started_at: eb
        .case()
        .when('window_started_at', '<=', windowStart)
        .then(at)
        .else(eb.ref('window_started_at'))
        .end(),
      updated_at: at,
    }))
    .where('key', '=', key)
    .execute();
}

/** "45 seconds", "3 minutes", "2 hours". */
export function waitInWords(seconds: number): string {
  if (seconds === 1) return '1 second';
  if (seconds < 90) return `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 90) return `${minutes} minutes`;
  return `${Math.ceil(minutes / 60)} hours`;
}
