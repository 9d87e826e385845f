import type { Kysely } from 'kysely';

/**
 * The Security Log: names as they were when each event happened, so that
 * the trail of a renamed or deleted user still reads, and an index for its
 * filter by event kind, newest first.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const column of ['actor_name', 'target_name']) {
    await db.schema.alterTable('audit_events').addColumn(column, 'text').execute();
  }
  await db.schema
    .createIndex('audit_events_event')
    .on('audit_events')
    .columns(['event', 'id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('audit_events_event').execute();
  for (const column of ['target_name', 'actor_name']) {
    await db.schema.alterTable('audit_events').dropColumn(column).execute();
  }
}
