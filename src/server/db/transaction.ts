/**
 * One way to run a transaction on either engine, with the same guarantee:
 * transactions behave as if they ran one after another.
 *
 * SQLite gives that for free: one connection, one writer, and Kysely runs
 * a transaction's queries without letting another in between. PostgreSQL
 * runs them side by side, so a read-then-write (a throttle counter, a
 * code's tries) could interleave. SERIALIZABLE makes PostgreSQL refuse any
 * interleaving that would differ from some one-at-a-time order; the refused
 * transaction is rolled back and simply runs again.
 */
import type { Transaction } from 'kysely';
import { AppError } from '../errors.ts';
import type { Db } from './database.ts';
import { engineOf } from './dialect.ts';
import type { Database } from './schema.ts';

/** serialization_failure and deadlock_detected: safe to run again. */
const RETRYABLE = new Set(['40001', '40P01']);

/** Under heavy contention a few runs may be refused; then give up. */
const MAX_RUNS = 16;

/** Seconds a client is asked to wait after giving up on a busy row. */
const BUSY_RETRY_AFTER = 1;

/**
 * Runs `work` in a transaction. On PostgreSQL `work` may run more than
 * once, so it must not have effects outside the database (sending mail,
 * say: queue it in the outbox instead).
 */
export async function inTransaction<T>(
  db: Db,
  work: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  if (engineOf(db) === 'sqlite') return db.transaction().execute(work);
  return withRetries(() =>
    db.transaction().setIsolationLevel('serializable').execute(work),
  );
}

/**
 * Runs `work` in a transaction whose statements make their own reads safe
 * by locking the rows they read: an upsert, UPDATE … RETURNING, SELECT …
 * FOR UPDATE. PostgreSQL runs it at READ COMMITTED, where a row everyone
 * wants (one office's throttle counter) makes the others wait their turn
 * instead of failing and running again. Lock rows in one order (sorted
 * keys), or two such transactions may deadlock; a deadlock runs again too.
 */
export async function withRowLocks<T>(
  db: Db,
  work: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  if (engineOf(db) === 'sqlite') return db.transaction().execute(work);
  return withRetries(() => db.transaction().execute(work));
}

async function withRetries<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await run();
    } catch (error) {
      if (!isRetryable(error)) throw error;
      // Every run rolled back: the request did nothing and may come again.
      if (attempt >= MAX_RUNS) {
        throw new AppError('DATABASE_BUSY', { retryAfter: BUSY_RETRY_AFTER });
      }
      // A random pause that grows with each run, so that the transactions
      // that collided do not collide again in lockstep.
      const pause = Math.random() * Math.min(2 ** attempt, 200);
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}

function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE.has(code);
}
