/**
 * Everything that differs between SQLite and PostgreSQL lives here, so that
 * the rest of Callvault writes one query for both engines.
 */
import {
  PostgresAdapter,
  sql,
  type ColumnDataType,
  type Kysely,
  type RawBuilder,
  type SelectQueryBuilder,
  type SqlBool,
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

/**
 * "search_text may contain `text`", as the Users search's trigram index
 * (migration 0006) answers it, for a query over users; undefined when the
 * index cannot help: under 3 characters there is no trigram to look up.
 *
 * SQLite's planner cannot see into the FTS5 table, so the condition names
 * it. A quoted FTS5 phrase matches its characters in a row, case-folded,
 * wildcards and all: every user whose search_text contains `text`,
 * perhaps a few more, which the caller's LIKE then drops.
 *
 * PostgreSQL uses its GIN index for the LIKE by itself, so its condition
 * is simply true.
 */
export function trigramFilter(
  db: AnyDb,
  text: string,
): RawBuilder<SqlBool> | undefined {
  if ([...text].length < 3) return undefined;
  if (engineOf(db) === 'postgres') return sql<SqlBool>`true`;

  const phrase = `"${text.replaceAll('"', '""')}"`;
  return sql<SqlBool>`rowid in (
    select rowid from users_search where users_search match ${phrase}
  )`;
}
