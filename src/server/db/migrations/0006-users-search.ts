import { sql, type Kysely } from 'kysely';
import { engineOf } from '../dialect.ts';

/**
 * Two indexes for the Users search at 100,000 users.
 *
 * users_list (email, search_text) holds everything the search needs to
 * pick a page, so a term too short for trigrams ("qz") is checked against
 * this compact index in email order without reading a single user row:
 * many times faster than the unique index on email plus a row read for
 * every user passed over.
 *
 * A trigram index over search_text finds a rare name without reading the
 * list at all.
 *
 * SQLite: an FTS5 table with the trigram tokenizer that stores no text of
 * its own (external content: it reads users.search_text by rowid), kept in
 * step by triggers. users has no INTEGER PRIMARY KEY, so its rowid is
 * SQLite's own; VACUUM keeps it (checked on 3.53), and should a rowid ever
 * move, `insert into users_search(users_search) values ('rebuild')` puts the
 * index right again. The search re-checks every candidate against users
 * anyway, so a stale index could only hide a user, never show a wrong one.
 *
 * PostgreSQL: pg_trgm's GIN index, which its planner uses for LIKE
 * '%term%' by itself. pg_trgm is a trusted extension (PostgreSQL 13+), so
 * the database owner may create it without being a superuser.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('users_list')
    .on('users')
    .columns(['email_normalized', 'search_text'])
    .execute();

  if (engineOf(db) === 'postgres') {
    await sql`create extension if not exists pg_trgm`.execute(db);
    await sql`
      create index users_search_trigrams on users
      using gin (search_text gin_trgm_ops)
    `.execute(db);
    return;
  }

  await sql`
    create virtual table users_search using fts5(
      search_text, content = 'users', tokenize = 'trigram'
    )
  `.execute(db);
  // Only a change of search_text moves the index: a sign-in, which updates
  // last_sign_in_at, costs nothing extra.
  await sql`
    create trigger users_search_insert after insert on users begin
      insert into users_search (rowid, search_text)
      values (new.rowid, new.search_text);
    end
  `.execute(db);
  await sql`
    create trigger users_search_delete after delete on users begin
      insert into users_search (users_search, rowid, search_text)
      values ('delete', old.rowid, old.search_text);
    end
  `.execute(db);
  await sql`
    create trigger users_search_update after update of search_text on users
    begin
      insert into users_search (users_search, rowid, search_text)
      values ('delete', old.rowid, old.search_text);
      insert into users_search (rowid, search_text)
      values (new.rowid, new.search_text);
    end
  `.execute(db);
  await sql`insert into users_search (users_search) values ('rebuild')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (engineOf(db) === 'postgres') {
    // The extension stays: something else may have come to use it.
    await sql`drop index users_search_trigrams`.execute(db);
  } else {
    for (const trigger of ['insert', 'delete', 'update']) {
      await sql.raw(`drop trigger users_search_${trigger}`).execute(db);
    }
    await sql`drop table users_search`.execute(db);
  }
  await db.schema.dropIndex('users_list').execute();
}
