/**
 * Opens the database for the configured engine and brings its schema up to
 * date. Every query in Callvault goes through the Kysely instance made here.
 */
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, type Migration } from 'kysely';
import type { Config } from '../config.ts';
import type { Database } from './schema.ts';
import * as initial from './migrations/0001-initial.ts';
import * as securityVersion from './migrations/0002-security-version.ts';
import * as throttle from './migrations/0003-throttle.ts';
import * as settings from './migrations/0004-settings.ts';
import * as auditFilters from './migrations/0005-audit-filters.ts';

export type Db = Kysely<Database>;

/** Migrations in order; add new ones at the end, never edit old ones. */
const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-security-version': securityVersion,
  '0003-throttle': throttle,
  '0004-settings': settings,
  '0005-audit-filters': auditFilters,
};

/** Opens (and creates, when missing) the database. */
export function openDatabase(config: Pick<Config, 'database'>): Db {
  const file = config.database.file;
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

  return new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
}

/** Applies every migration not yet applied; throws on the first failure. */
export async function migrate(db: Db): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => MIGRATIONS },
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
}
