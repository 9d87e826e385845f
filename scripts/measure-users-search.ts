/**
 * How fast the Users list answers at 100,000 users: seeds a fresh database,
 * then calls listUsers for each case 200 times and prints p50 and p95.
 * A measurement, not a test: it asserts nothing.
 *
 *   npx tsx scripts/measure-users-search.ts [extra search terms...]
 *
 * SQLite by default (a new file under /tmp); DATABASE_URL=postgres://...
 * or sqlite:<file> measures that database instead: its users are replaced
 * by the seeded ones, unless it already holds exactly those (a re-run).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { listUsers } from '../src/server/admin/users.ts';
import type { DomainContext } from '../src/server/auth/context.ts';
import { hashPassword } from '../src/server/auth/password.ts';
import { loadConfig } from '../src/server/config.ts';
import { migrate, openDatabase, type Db } from '../src/server/db/database.ts';
import { engineOf } from '../src/server/db/dialect.ts';
import type { UsersTable } from '../src/server/db/schema.ts';
import { searchText } from '../src/server/users/user.ts';

const USERS = Number(process.env.USERS ?? 100_000);
const RUNS = Number(process.env.RUNS ?? 200);
const PAGE = 25;
const BATCH = 500;

// Names made of parts, 300 first and 300 last: common pieces ("son",
// "mar") match thousands of users, a whole name only a few.
const FIRST_STEMS = [
  'al', 'an', 'ber', 'cal', 'dan', 'el', 'fran', 'ga', 'har', 'is', 'jo',
  'kat', 'le', 'mar', 'ni', 'ol', 'pe', 'ra', 'sa', 'te', 'vi', 'wil', 'ya',
  'zo', 'au',
];
const FIRST_ENDINGS = [
  'a', 'ina', 'o', 'ie', 'ton', 'ric', 'ette', 'an', 'ia', 'ely', 'mund', 'ra',
];
const LAST_STEMS = [
  'ander', 'bald', 'carl', 'dun', 'ells', 'fitz', 'gold', 'hart', 'ivers',
  'john', 'kirk', 'lind', 'mor', 'nor', 'ox', 'pem', 'quin', 'ross', 'stan',
  'thorn', 'under', 'vance', 'west', 'young', 'zell',
];
const LAST_ENDINGS = [
  'son', 'well', 'berg', 'field', 'ford', 'ley', 'man', 'ton', 'wood',
  'worth', 'stone', 'by',
];
/** One user in a thousand: the rare names a search must still find fast. */
const RARE_FIRST = ['Qzara', 'Xaviqz', 'Oqzun'];
const DOMAINS = [
  'mail.example', 'post.example', 'calls.example', 'acme.example',
  'northwind.example', 'globex.example', 'initech.example', 'umbrella.example',
  'hooli.example', 'vandelay.example', 'stark.example', 'wayne.example',
].flatMap((name) => ['.com', '.org', '.net', '.io'].map((tld) => name + tld));

/** A small seeded PRNG (mulberry32): the same users on every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const capital = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

async function seed(db: Db): Promise<void> {
  const next = random(42);
  const pick = <T>(list: readonly T[]) =>
    list[Math.floor(next() * list.length)] as T;
  // One argon2 hash for all: hashing 100,000 would take a quarter hour.
  const hash = await hashPassword('correct horse battery staple');
  const now = new Date().toISOString();
  const taken = new Set<string>();

  for (let start = 0; start < USERS; start += BATCH) {
    const batch: UsersTable[] = [];
    for (let n = start; n < Math.min(start + BATCH, USERS); n += 1) {
      const first =
        next() < 0.001
          ? pick(RARE_FIRST)
          : capital(pick(FIRST_STEMS) + pick(FIRST_ENDINGS));
      const last = capital(pick(LAST_STEMS) + pick(LAST_ENDINGS));
      let local = `${first}.${last}`.toLowerCase();
      if (taken.has(local)) local += String(n);
      taken.add(local);
      const email = `${local}@${pick(DOMAINS)}`;
      const invited = next() < 0.1;
      batch.push({
        id: `seed-${String(n).padStart(6, '0')}`,
        email,
        email_normalized: email,
        first_name: first,
        last_name: last,
        search_text: searchText(email, first, last),
        role_administrator: 0,
        role_supervisor: next() < 0.1 ? 1 : 0,
        role_user: 1,
        two_factor: next() < 0.3 ? 1 : 0,
        status: invited ? 'invited' : 'active',
        must_personalise: invited ? 1 : 0,
        password_hash: invited ? null : hash,
        created_at: now,
        updated_at: now,
        last_sign_in_at: invited ? null : now,
        security_version: 0,
      } as UsersTable);
    }
    await db.transaction().execute((trx) =>
      trx.insertInto('users').values(batch).execute(),
    );
  }
}

/** p-th percentile of sorted milliseconds. */
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ??
  NaN;

async function main(): Promise<void> {
  const url =
    process.env.DATABASE_URL ??
    `sqlite:${path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cv-')), 'users.db')}`;
  const config = loadConfig({ DATABASE_URL: url });
  const db = openDatabase(config);
  await migrate(db);
  const engine = engineOf(db);

  const seeded = await db
    .selectFrom('users')
    .select(sql<number>`count(*)`.as('count'))
    .where('id', 'like', 'seed-%')
    .executeTakeFirstOrThrow();
  if (Number(seeded.count) !== USERS) {
    const started = performance.now();
    await db.deleteFrom('users').execute();
    await seed(db);
    // As autovacuum would by now: statistics, and (PostgreSQL) the
    // visibility map that index-only scans need.
    await sql
      .raw(engine === 'postgres' ? 'vacuum analyze users' : 'analyze')
      .execute(db);
    const seconds = (performance.now() - started) / 1000;
    console.log(`${engine}: seeded ${USERS} users in ${seconds.toFixed(1)} s`);
  }

  const ctx: DomainContext = {
    db,
    config,
    clock: () => new Date(),
    mailQueued: () => undefined,
  };
  // A cursor nine tenths of the way down the list.
  const deep = await db
    .selectFrom('users')
    .select('email_normalized')
    .orderBy('email_normalized')
    .offset(Math.floor(USERS * 0.9))
    .limit(1)
    .executeTakeFirstOrThrow();
  const someone = await db
    .selectFrom('users')
    .select(['first_name', 'last_name'])
    .where('id', '=', 'seed-054321')
    .executeTakeFirstOrThrow();
  const fullName = `${someone.first_name} ${someone.last_name}`;

  const cases: [string, { search?: string; after?: string }][] = [
    ['first page', {}],
    ['deep page', { after: deep.email_normalized }],
    ['common "son"', { search: 'son' }],
    ['common "son", deep', { search: 'son', after: deep.email_normalized }],
    ['medium "marina"', { search: 'Marina' }],
    // Emails start with the first name, so these users sit together in
    // email order: the walk passes half the list before the first one.
    ['clustered "mar"', { search: 'mar' }],
    ['clustered "wil"', { search: 'wil' }],
    ['rare full name', { search: fullName }],
    ['rare "qzara"', { search: 'qzara' }],
    ['missing "xylophone"', { search: 'xylophone' }],
    ['wildcards "a_b%c"', { search: 'a_b%c' }],
    ['short common "a"', { search: 'a' }],
    ['short common "an"', { search: 'an' }],
    ['short rare "qz"', { search: 'qz' }],
    ['short missing "zq"', { search: 'zq' }],
    ...process.argv.slice(2).map(
      (term): [string, { search: string }] => [`"${term}"`, { search: term }],
    ),
  ];

  // Wall time is what a person waits; on a busy machine it includes
  // waiting for a core, so CPU time (this process's: SQLite runs in it) is
  // shown beside it as the cost of the work itself.
  console.log(`${engine}, ${RUNS} runs each, load ${os.loadavg()[0]?.toFixed(1)}`);
  console.log(
    'case                      matches   wall p50  p95    cpu p50  p95 (ms)',
  );
  for (const [name, query] of cases) {
    const matches = query.search
      ? await countMatches(db, query.search)
      : USERS;
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      const begin = performance.now();
      const cpuBegin = process.cpuUsage();
      await listUsers(ctx, { ...query, limit: PAGE });
      const used = process.cpuUsage(cpuBegin);
      wall.push(performance.now() - begin);
      cpu.push((used.user + used.system) / 1000);
    }
    wall.sort((a, b) => a - b);
    cpu.sort((a, b) => a - b);
    console.log(
      // Not the first argument: console.log reads % there as a format.
      '',
      name.padEnd(24),
      String(matches).padStart(8),
      ...[wall, cpu].flatMap((times) => [
        percentile(times, 50).toFixed(2).padStart(9),
        percentile(times, 95).toFixed(2).padStart(7),
      ]),
    );
  }
  await db.destroy();
}

/** How many users the search matches, the slow and obvious way. */
async function countMatches(db: Db, term: string): Promise<number> {
  const needle = term.trim().toLowerCase();
  const { count } = await db
    .selectFrom('users')
    .select(sql<number>`count(*)`.as('count'))
    .where(
      engineOf(db) === 'postgres'
        ? sql<boolean>`strpos(search_text, ${needle}) > 0`
        : sql<boolean>`instr(search_text, ${needle}) > 0`,
    )
    .executeTakeFirstOrThrow();
  return Number(count);
}

await main();
