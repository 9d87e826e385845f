/**
 * Which users a page of the Users list shows, at 100,000 users.
 *
 * Walking the list in email order (on the users_list index: email and
 * search_text, no user row read) stops at a full page, so a common term
 * costs little. A rare term would walk the whole list; the trigram index
 * finds its few users at once, but every one of them must be read and
 * sorted, which for a common term costs far more than the walk. Which of
 * the two is cheaper depends on where in email order the matches sit
 * ("mar" matches only users whose email starts with mar...), which no
 * count tells. So: walk a bounded stretch first, and only if that leaves
 * the page short ask the index for the rest.
 */
import { sql, type Kysely } from 'kysely';
import { trigramFilter } from '../db/dialect.ts';
import type { Database } from '../db/schema.ts';

/**
 * Users walked before the trigram index takes over: a term matching one
 * user in 200 fills a page of 25 within it. A walk this long costs about
 * 1 ms on SQLite and a few on PostgreSQL (scripts/measure-users-search.ts).
 */
export const WALK = 5_000;

/**
 * The emails of the first `count` users after `after` in email order whose
 * search_text contains `search` (already lower-cased); all users when it
 * is empty. The first page is the one after '': no email is empty.
 */
export async function pageEmails(
  db: Kysely<Database>,
  search: string,
  after: string,
  count: number,
): Promise<string[]> {
  const filter = search ? trigramFilter(db, search) : undefined;
  // Nothing to hand over to: walk until the page is full.
  // TODO(limitation: short-search) a rare 1-2 character term walks it all.
  if (!filter) return walk(db, search, after, undefined, count);

  // Where the walk stops; none when the list ends before. Fixed first, so
  // that the walk and the rest split the list at the same email even if a
  // user is added or deleted in between.
  const end = await db
    .selectFrom('users')
    .select('email_normalized')
    .where('email_normalized', '>', after)
    .orderBy('email_normalized')
    .offset(WALK - 1)
    .limit(1)
    .executeTakeFirst();
  const walked = await walk(db, search, after, end?.email_normalized, count);
  if (walked.length === count || !end) return walked;

  // Every match past the walk, unordered, so that the planner cannot
  // choose to walk on (PostgreSQL would: it takes matches to be spread
  // evenly); then sorted.
  const rest = await db
    .with(
      (cte) => cte('matches').materialized(),
      (q) =>
        q
          .selectFrom('users')
          .select('email_normalized')
          .where(contains(search))
          .where('email_normalized', '>', end.email_normalized)
          .where(filter),
    )
    .selectFrom('matches')
    .select('email_normalized')
    .orderBy('email_normalized')
    .limit(count - walked.length)
    .execute();
  return [...walked, ...rest.map((row) => row.email_normalized)];
}

/** Matches in email order after `after`, up to `end` when given. */
async function walk(
  db: Kysely<Database>,
  search: string,
  after: string,
  end: string | undefined,
  count: number,
): Promise<string[]> {
  const rows = await db
    .selectFrom('users')
    .select('email_normalized')
    .where('email_normalized', '>', after)
    .$if(end !== undefined, (q) => q.where('email_normalized', '<=', end!))
    .$if(search !== '', (q) => q.where(contains(search)))
    .orderBy('email_normalized')
    .limit(count)
    .execute();
  return rows.map((row) => row.email_normalized);
}

/** Case-insensitive substring, with % _ \ typed by a person taken literally. */
function contains(search: string) {
  const pattern = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<boolean>`search_text like ${pattern} escape '\\'`;
}
