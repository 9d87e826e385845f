import type { Kysely } from 'kysely';

/**
 * A counter on each user that every security change raises. Sessions and
 * pending sign-ins remember the value they were started under and stop
 * working once it moves, even if they were written a moment after the
 * change that ended "all" of them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of ['users', 'sessions', 'pending_sign_ins']) {
    await db.schema
      .alterTable(table)
      .addColumn('security_version', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['pending_sign_ins', 'sessions', 'users']) {
    await db.schema.alterTable(table).dropColumn('security_version').execute();
  }
}
