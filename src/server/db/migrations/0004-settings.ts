import { sql, type Kysely } from 'kysely';

/**
 * The company's security policy: one row (id 1), written by Settings >
 * Security. Lifetimes left null mean "use SESSION_IDLE_MINUTES and
 * SESSION_MAX_HOURS". The row exists from the start, so a read never has
 * to guess what a missing row means.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('settings')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('two_factor_mode', 'text', (c) => c.notNull().defaultTo('none'))
    .addColumn('session_idle_minutes', 'integer')
    .addColumn('session_max_hours', 'integer')
    .addColumn('updated_at', 'text')
    .addColumn('updated_by', 'text')
    .execute();

  await sql`insert into settings (id, two_factor_mode) values (1, 'none')`
    .execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('settings').execute();
}
