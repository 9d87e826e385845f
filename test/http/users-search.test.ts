/**
 * The Users search answers exactly what a plain substring test over
 * search_text answers, in email order, page by page, whichever way it
 * finds the users: walking the list in email order for a common or short
 * term, the trigram index past the walk for a rare one. New users,
 * renames and deletions reach the index.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WALK } from '../../src/server/admin/user-search.ts';
import type { UsersTable } from '../../src/server/db/schema.ts';
import { searchText } from '../../src/server/users/user.ts';
import type { Client } from '../support/client.ts';
import { startInstance, type TestInstance } from '../support/instance.ts';
import { userAdministration } from '../support/user-administration.ts';

let cv: TestInstance;
let admin: Client;

const { invite } = userAdministration(
  () => cv,
  () => admin,
);

/**
 * More users share this domain than a search walks before it asks the
 * trigram index; the last LATE of them, past the walk, are called Late.
 */
const CROWD = WALK + 300;
const LATE = 250;

/** Names a LIKE pattern or an FTS5 query would misread, and their decoys. */
const ODD_NAMES = [
  ['Hundred%Sure', 'HundredXSure'],
  ['Under_Score', 'UnderXScore'],
  ['Back\\Slash', 'BackXSlash'],
  ['Quote"Mark', "Quote'Mark"],
  ['Jörg', 'Jorg'],
  ['Zephyrine', 'Quillfeather'],
];

beforeAll(async () => {
  cv = await startInstance();
  admin = await cv.admin();

  const now = new Date().toISOString();
  const user = (n: number, first: string, last: string, domain: string) => {
    const email = `u${String(n).padStart(5, '0')}@${domain}`;
    return {
      id: `search-${n}`,
      email,
      email_normalized: email,
      first_name: first,
      last_name: last,
      search_text: searchText(email, first, last),
      role_administrator: 0,
      role_supervisor: 0,
      role_user: 1,
      two_factor: 0,
      status: 'active',
      must_personalise: 0,
      password_hash: null,
      created_at: now,
      updated_at: now,
      last_sign_in_at: null,
      security_version: 0,
    } as UsersTable;
  };

  // Written straight to the table: inviting thousands through the API
  // would take minutes. The index triggers see these inserts all the same.
  const rows: UsersTable[] = [];
  for (let n = 0; n < CROWD; n += 1) {
    const first = n >= CROWD - LATE ? 'Late' : `Crowd${n % 7}`;
    rows.push(user(n, first, `Member${n % 13}`, 'crowd.test'));
  }
  ODD_NAMES.flat().forEach((name, n) => {
    rows.push(user(CROWD + n, name, 'Odd', 'odd.test'));
  });
  for (let start = 0; start < rows.length; start += 200) {
    await cv.callvault.db
      .insertInto('users')
      .values(rows.slice(start, start + 200))
      .execute();
  }
});
afterAll(async () => {
  await cv.stop();
});

/** Every page of a search, through the API, 100 users a page. */
async function searchPages(search: string) {
  const ids: string[] = [];
  const cursors: (string | null)[] = [];
  let after: string | null = null;

  do {
    const query = new URLSearchParams({ search, limit: '100' });
    if (after) query.set('after', after);
    const page = await admin.get(`/api/users?${query}`);
    expect(page.status, search).toBe(200);
    ids.push(...page.body.users.map((u: { id: string }) => u.id));
    after = page.body.nextCursor;
    cursors.push(after);
  } while (after);

  return { ids, cursors };
}

/** The same search the slow and obvious way: a substring test on all. */
async function expected(search: string) {
  const needle = search.trim().toLowerCase();
  const all = await cv.callvault.db
    .selectFrom('users')
    .select(['id', 'email_normalized', 'search_text'])
    .execute();
  const found = all
    .filter((u) => u.search_text.includes(needle))
    // Code-unit order, as SQLite compares text; every email here is ASCII.
    .sort((a, b) => (a.email_normalized < b.email_normalized ? -1 : 1));

  const cursors: (string | null)[] = [];
  for (let end = 100; end < found.length; end += 100) {
    cursors.push(found[end - 1]?.email_normalized ?? null);
  }
  cursors.push(null);
  return { ids: found.map((u) => u.id), cursors };
}

async function expectSameAsSubstring(search: string) {
  const answer = await searchPages(search);
  expect(answer, search).toEqual(await expected(search));
  return answer.ids.length;
}

describe('the Users search', () => {
  it('finds the same users, pages and cursors for rare and common terms', async () => {
    // Common: the walk fills every page. Rare, or all past the walk: the
    // trigram index finds them.
    expect(await expectSameAsSubstring('crowd.test')).toBe(CROWD);
    expect(await expectSameAsSubstring('member1')).toBeGreaterThan(1000);
    expect(await expectSameAsSubstring('zephyrine')).toBe(1);
    expect(await expectSameAsSubstring('late member')).toBe(LATE);
    expect(await expectSameAsSubstring('odd u0')).toBe(ODD_NAMES.length * 2);
    expect(await expectSameAsSubstring('no such person')).toBe(0);
  });

  it('matches % _ \\ and quotes literally', async () => {
    for (const search of [
      'hundred%sure', '%', 'd%s', 'under_score', '_', 'r_s', 'back\\slash',
      '\\', 'k\\s', 'quote"mark', '"', 'e"m', "quote'mark", "'",
    ]) {
      expect(await expectSameAsSubstring(search), search).toBeGreaterThan(0);
    }
    expect((await searchPages('hundred%sure')).ids).toHaveLength(1);
    expect((await searchPages('under_score')).ids).toHaveLength(1);
    expect((await searchPages('back\\slash')).ids).toHaveLength(1);
  });

  it('takes one- and two-letter terms, and any letter case', async () => {
    for (const search of ['z', 'q', 'qz', 'ö', 'rg', 'ZEPHYRINE', 'CrOwD3', 'JÖRG']) {
      await expectSameAsSubstring(search);
    }
    expect((await searchPages('JÖRG')).ids).toEqual(['search-' + (CROWD + 8)]);
  });

  it('follows a new user, a rename and a deletion', async () => {
    // Past the walk in email order, so that only the index can find them.
    const id = await invite('zz-renamed@search.test', {
      firstName: 'Oldname',
      lastName: 'Xanthippe',
    });
    expect((await searchPages('xanthippe')).ids).toEqual([id]);

    const renamed = await admin.patch(`/api/users/${id}`, { firstName: 'Newname' });
    expect(renamed.status).toBe(200);
    expect((await searchPages('oldname')).ids).toEqual([]);
    expect((await searchPages('newname xanth')).ids).toEqual([id]);
    await expectSameAsSubstring('xanthippe');

    const deleted = await admin.request('DELETE', `/api/users/${id}`);
    expect(deleted.status).toBe(204);
    expect((await searchPages('xanthippe')).ids).toEqual([]);
    expect((await searchPages('newname')).ids).toEqual([]);
  });
});
