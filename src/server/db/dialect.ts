/**
 * Everything that differs between SQLite and PostgreSQL lives here, so that
 * the rest of Callvault writes one query for both engines.
 */
import {
  PostgresAdapter,
  type ColumnDataType,
  type Kysely,
  type SelectQueryBuilder,
} from 'kysely';

export type Engine = 'sqlite' | 'postgres';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export function engineOf(db: AnyDb): Engine {
  return db.getExecutor().adapter instanceof PostgresAdapter
    ? 'postgres'
    : 'sqlite';
}

/**
 * Column type of an ever-growing integer key: SQLite's INTEGER PRIMARY KEY
 * AUTOINCREMENT, PostgreSQL's bigserial (read back as a number: see
 * database.ts).
 */
export function serialKey(db: AnyDb): {
  type: ColumnDataType;
  autoIncrement: boolean;
} {
  return engineOf(db) === 'postgres'
    ? { type: 'bigserial', autoIncrement: false }
    : { type: 'integer', autoIncrement: true };
}

/**
 * Lets several senders (or instances) claim different rows at once:
 * PostgreSQL skips rows another transaction has locked. SQLite has a single
 * writer, so its claims never overlap and it has no row locks to ask for.
 */
export function skipLocked<DB, TB extends keyof DB, O>(
  db: AnyDb,
  query: SelectQueryBuilder<DB, TB, O>,
): SelectQueryBuilder<DB, TB, O> {
  return engineOf(db) === 'postgres' ? query.forUpdate().skipLocked() : query;
}
