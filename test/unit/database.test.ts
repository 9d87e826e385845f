import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/server/config.ts';
import {
  migrate,
  openDatabase,
  type Db,
} from '../../src/server/db/database.ts';
import { databaseUrl, dropDatabase, engine } from '../support/database.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callvault-db-'));
afterAll(async () => {
  await dropDatabase(dir);
  fs.rmSync(dir, { recursive: true, force: true });
});

async function open() {
  return openDatabase(loadConfig({ DATABASE_URL: await databaseUrl(dir) }));
}

/** What Kysely's migrator has recorded as applied. */
async function migrationNames(db: Db): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select name from kysely_migration order by name
  `.execute(db);
  return rows.map((row) => row.name);
}

describe('the database', () => {
  // File modes are SQLite's concern alone: PostgreSQL keeps its data in its
  // own cluster, under its own account.
  it.runIf(engine === 'sqlite')(
    'is created readable by its owner only, folder included',
    async () => {
      const file = path.join(dir, 'nested', 'callvault.db');
      const db = openDatabase({ database: { engine: 'sqlite', file } });
      await migrate(db);

      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
      await db.destroy();
    },
  );

  it('migrates an empty database, and again as a no-op', async () => {
    const db = await open();
    await migrate(db);
    const applied = await migrationNames(db);

    await migrate(db);
    const again = await migrationNames(db);
    await db.destroy();

    expect(applied.length).toBeGreaterThan(0);
    expect(again).toEqual(applied);
  });

  it('applies migrations once and keeps data across reopening', async () => {
    const first = await open();
    await migrate(first);
    await first
      .insertInto('mailbox')
      .values({
        id: 'm1',
        received_at: new Date().toISOString(),
        to_address: 'a@callvault.test',
        from_address: 'b@callvault.test',
        subject: 'kept',
        text_body: 'text',
        html_body: '<p>html</p>',
      })
      .execute();
    await first.destroy();

    const second = await open();
    await migrate(second);
    const rows = await second.selectFrom('mailbox').select('subject').execute();
    expect(rows).toEqual([{ subject: 'kept' }]);
    await second.destroy();
  });
});
