/**
 * Opens the database for the configured engine and brings its schema up to
 * date. Every query in Callvault goes through the Kysely instance made here.
 */
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import {
  Kysely,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  type Dialect,
  type Migration,
  type SqliteDatabase,
} from 'kysely';
import pg from 'pg';
import type { Config } from '../config.ts';
import type { Database } from './schema.ts';
import * as initial from './migrations/0001-initial.ts';
import * as securityVersion from './migrations/0002-security-version.ts';
import * as throttle from './migrations/0003-throttle.ts';
import * as settings from './migrations/0004-settings.ts';
import * as auditFilters from './migrations/0005-audit-filters.ts';
import * as usersSearch from './migrations/0006-users-search.ts';

export type Db = Kysely<Database>;

/** Migrations in order; add new ones at the end, never edit old ones. */
const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-security-version': securityVersion,
  '0003-throttle': throttle,
  '0004-settings': settings,
  '0005-audit-filters': auditFilters,
  '0006-users-search': usersSearch,
};

export interface OpenOptions {
  /**
   * Told when an idle PostgreSQL connection breaks (the server restarted,
   * say). The pool drops it and opens a new one at the next query.
   */
  onConnectionError?: (error: Error) => void;
}

/** Opens (and for SQLite creates, when missing) the database. */
export function openDatabase(
  config: Pick<Config, 'database'>,
  options: OpenOptions = {},
): Db {
  const dialect =
    config.database.engine === 'postgres'
      ? postgresDialect(config.database, options)
      : sqliteDialect(config.database.file);
  return new Kysely<Database>({ dialect });
}

function sqliteDialect(file: string): Dialect {
  if (file !== ':memory:') {
    // Only the account that runs Callvault may read the database: it holds
    // password hashes and, until sent, the outbox's links and codes.
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
    fs.closeSync(fs.openSync(file, 'a', 0o600));
  }

  const sqlite = new SQLite(file);
  // WAL lets readers go on while the one writer commits; the busy timeout
  // covers a second process (a CLI, a test) holding the write lock.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');

  return new SqliteDialect({ database: withStatementCache(sqlite) });
}

/** Distinct queries kept prepared; Callvault has a few hundred. */
const STATEMENT_CACHE_SIZE = 1_000;

/**
 * Kysely prepares every query afresh, and preparing costs more than
 * running most of ours. The same SQL text reuses its prepared statement;
 * Kysely runs one query at a time on the connection, so a statement is
 * never in use twice at once.
 */
function withStatementCache(sqlite: SQLite.Database): SqliteDatabase {
  const prepared = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(text: string) {
      let statement = prepared.get(text);
      if (!statement) {
        statement = sqlite.prepare(text);
        if (prepared.size >= STATEMENT_CACHE_SIZE) {
          // Maps keep insertion order: the first key is the oldest.
          prepared.delete(prepared.keys().next().value!);
        }
        prepared.set(text, statement);
      }
      return statement;
    },
  };
}

/** How long a request waits for a free connection before it gives up. */
const CONNECT_TIMEOUT_MS = 5_000;

function postgresDialect(
  database: { url: string; poolSize: number },
  options: OpenOptions,
): Dialect {
  const pool = new pg.Pool({
    connectionString: database.url,
    max: database.poolSize,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    // bigint (count(*), bigserial ids) comes back as a string by default,
    // in case it passes 2^53; ours never come near, and both engines should
    // hand the same numbers to the code above.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === pg.types.builtins.INT8
          ? Number
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // Without a listener, an idle connection that breaks would end the process.
  pool.on('error', (error) => options.onConnectionError?.(error));
  return new PostgresDialect({ pool });
}

/**
 * Applies every migration not yet applied; throws on the first failure.
 * Instances starting together are safe: the migrator takes a lock first.
 */
export async function migrate(db: Db): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => MIGRATIONS },
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
}
