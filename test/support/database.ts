/**
 * The database a test's Callvault runs on, for the engine of the current
 * test project (vitest.config.ts): a SQLite file in the instance's folder,
 * or a database of its own on the project's PostgreSQL cluster, whose name
 * is kept in that folder so that a restart on the same folder finds it.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The engine of the current test project. */
    engine: 'sqlite' | 'postgres';
    /** The postgres project's cluster, as its superuser. */
    postgresUrl: string;
  }
}

/** The engine this test file runs on. */
export const engine = inject('engine');

/** Where a PostgreSQL instance's folder keeps its database's name. */
const NAME_FILE = 'postgres-database';

/**
 * The DATABASE_URL of the instance whose files are in `dir`: the same one
 * on every call for that folder, created on the first.
 */
export async function databaseUrl(dir: string): Promise<string> {
  if (engine === 'sqlite') return `sqlite:${path.join(dir, 'callvault.db')}`;

  let name = databaseName(dir);
  if (!name) {
    name = `cv_${crypto.randomBytes(8).toString('hex')}`;
    await asAdministrator(`create database ${name}`);
    fs.writeFileSync(path.join(dir, NAME_FILE), name);
  }
  return urlOf(name);
}

/**
 * Drops the PostgreSQL database made for `dir`, if any, even with
 * connections still open. A SQLite database goes with its folder.
 */
export async function dropDatabase(dir: string): Promise<void> {
  const name = databaseName(dir);
  if (!name) return;
  await asAdministrator(`drop database if exists ${name} with (force)`);
  fs.rmSync(path.join(dir, NAME_FILE), { force: true });
}

function databaseName(dir: string): string | undefined {
  const file = path.join(dir, NAME_FILE);
  if (engine !== 'postgres' || !fs.existsSync(file)) return undefined;
  const name = fs.readFileSync(file, 'utf8').trim();
  // Goes into SQL as an identifier, which no parameter can stand for.
  if (!/^cv_[0-9a-f]{16}$/.test(name)) throw new Error(`bad name in ${file}`);
  return name;
}

function urlOf(name: string): string {
  const url = new URL(inject('postgresUrl'));
  url.pathname = `/${name}`;
  return url.href;
}

async function asAdministrator(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: inject('postgresUrl') });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
