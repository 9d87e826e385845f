import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate, openDatabase } from '../../src/server/db/database.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callvault-db-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the SQLite database', () => {
  it('is created readable by its owner only, folder included', async () => {
    const file = path.join(dir, 'nested', 'callvault.db');
    const db = openDatabase({ database: { engine: 'sqlite', file } });
    await migrate(db);

    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    await db.destroy();
  });

  it('applies migrations once and keeps data across reopening', async () => {
    const file = path.join(dir, 'reopen.db');
    const first = openDatabase({ database: { engine: 'sqlite', file } });
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

    const second = openDatabase({ database: { engine: 'sqlite', file } });
    await migrate(second);
    const rows = await second.selectFrom('mailbox').select('subject').execute();
    expect(rows).toEqual([{ subject: 'kept' }]);
    await second.destroy();
  });
});
