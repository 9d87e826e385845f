/**
 * Seeds the benchmark's database straight through Kysely, with Callvault's
 * own helpers for everything that must match what the server computes
 * (search text, token and code hashes). One argon2 hash serves every
 * seeded user: hashing 100,000 passwords would take an hour, and the
 * server verifies a shared hash exactly as it verifies a unique one.
 */
import type { Insertable } from 'kysely';
import type { Db } from '../../src/server/db/database.ts';
import type {
  PendingSignInsTable,
  UsersTable,
} from '../../src/server/db/schema.ts';
import { later } from '../../src/server/auth/context.ts';
import { hashPassword } from '../../src/server/auth/password.ts';
import { PENDING_LIFETIME_MS } from '../../src/server/auth/pending-sign-in.ts';
import {
  hashSecurityCode,
  hashToken,
  newId,
  newSecurityCode,
  newToken,
} from '../../src/server/auth/secrets.ts';
import { CODE_LIFETIME_MS } from '../../src/server/auth/security-code.ts';
import { normaliseEmail, searchText } from '../../src/server/users/user.ts';

/** Rows per INSERT: well under both engines' limits on bound values. */
const ROWS_PER_INSERT = 500;
/** Rows per transaction: one commit (and fsync) per this many. */
const ROWS_PER_TRANSACTION = 10_000;

const FIRST_NAMES = [
  'Maria', 'James', 'Aisha', 'Wei', 'Olga', 'Juan', 'Fatima', 'Liam',
  'Priya', 'Noah', 'Yuki', 'Emma', 'Omar', 'Sofia', 'Lucas', 'Chloe',
  'Mateo', 'Hannah', 'Ivan', 'Amara', 'Felix', 'Nora', 'Kofi', 'Elena',
  'Ravi', 'Ingrid', 'Diego', 'Leila', 'Tomas', 'Mei', 'Samuel', 'Zara',
  'Pavel', 'Grace', 'Hugo', 'Anika', 'Kenji', 'Lucia', 'Ahmed', 'Clara',
];
const LAST_NAMES = [
  'Garcia', 'Smith', 'Khan', 'Chen', 'Ivanova', 'Lopez', 'Haddad', 'Murphy',
  'Patel', 'Brown', 'Tanaka', 'Muller', 'Farouk', 'Rossi', 'Silva',
  'Martin', 'Novak', 'Schmidt', 'Petrov', 'Okafor', 'Weber', 'Larsen',
  'Mensah', 'Popescu', 'Sharma', 'Berg', 'Torres', 'Nasser', 'Kowalski',
  'Wang', 'Cohen', 'Ali', 'Horvat', 'Walker', 'Dubois', 'Jensen', 'Sato',
  'Romero', 'Hassan', 'Fischer', 'Nguyen', 'Kim', 'Costa', 'Moreau',
  'Lindqvist', 'Adeyemi', 'Varga', 'Ortiz', 'Bauer', 'Reyes',
];
/** A surname only a handful of users have, for the "rare term" search. */
export const RARE_LAST_NAME = 'Quillfeather';
const RARE_EVERY = 25_000;

export interface SeedPlan {
  users: number;
  /** Every n-th user has two-factor on. */
  twoFactorEvery: number;
  password: string;
}

export interface SeededUser {
  id: string;
  email: string;
}

export interface Seeded {
  /** Active users without two-factor. */
  plain: SeededUser[];
  /** Active users with two-factor on. */
  twoFactor: SeededUser[];
  /** The one argon2 hash all of them share. */
  passwordHash: string;
}

/** Inserts `plan.users` active users; returns who they are. */
export async function seedUsers(db: Db, plan: SeedPlan): Promise<Seeded> {
  const passwordHash = await hashPassword(plan.password);
  const now = new Date().toISOString();
  const seeded: Seeded = { plain: [], twoFactor: [], passwordHash };

  const rows: Array<Insertable<UsersTable>> = [];
  for (let i = 0; i < plan.users; i += 1) {
    const first = FIRST_NAMES[i % FIRST_NAMES.length]!;
    const last =
      i % RARE_EVERY === 7
        ? RARE_LAST_NAME
        : LAST_NAMES[Math.floor(i / FIRST_NAMES.length) % LAST_NAMES.length]!;
    const email = `${first}.${last}.${i}@example.com`.toLowerCase();
    const twoFactor = i % plan.twoFactorEvery === 0;
    const id = newId();

    rows.push({
      id,
      email,
      email_normalized: normaliseEmail(email),
      first_name: first,
      last_name: last,
      search_text: searchText(email, first, last),
      role_administrator: 0,
      role_supervisor: i % 10 === 0 ? 1 : 0,
      role_user: 1,
      two_factor: twoFactor ? 1 : 0,
      status: 'active',
      must_personalise: 0,
      password_hash: passwordHash,
      created_at: now,
      updated_at: now,
      last_sign_in_at: null,
      security_version: 0,
    });
    (twoFactor ? seeded.twoFactor : seeded.plain).push({ id, email });
  }

  await insertInBatches(db, 'users', rows);
  return seeded;
}

export interface KnownCode {
  /** The pending sign-in's cookie value. */
  token: string;
  code: string;
}

/**
 * Pending sign-ins at the code step, one per user given, each with a code
 * we know. Hashed with Callvault's own helpers, so the server checks them
 * exactly as it checks one it issued. `security_version` is 0 because
 * seeded users start there and nothing in the run changes it.
 */
export async function seedPendingSignIns(
  db: Db,
  users: readonly SeededUser[],
): Promise<KnownCode[]> {
  const now = new Date();
  const known: KnownCode[] = [];
  const rows: Array<Insertable<PendingSignInsTable>> = users.map((user) => {
    const id = newId();
    const token = newToken();
    const code = newSecurityCode();
    known.push({ token, code });
    return {
      id,
      token_hash: hashToken(token),
      user_id: user.id,
      stage: 'code',
      via: 'password',
      created_at: now.toISOString(),
      expires_at: later(now, PENDING_LIFETIME_MS).toISOString(),
      code_hash: hashSecurityCode(id, code),
      code_sent_at: now.toISOString(),
      code_expires_at: later(now, CODE_LIFETIME_MS).toISOString(),
      code_failures: 0,
      security_version: 0,
    };
  });

  await insertInBatches(db, 'pending_sign_ins', rows);
  return known;
}

async function insertInBatches<T extends 'users' | 'pending_sign_ins'>(
  db: Db,
  table: T,
  rows: Array<Insertable<T extends 'users' ? UsersTable : PendingSignInsTable>>,
): Promise<void> {
  for (let start = 0; start < rows.length; start += ROWS_PER_TRANSACTION) {
    const chunk = rows.slice(start, start + ROWS_PER_TRANSACTION);
    await db.transaction().execute(async (trx) => {
      for (let at = 0; at < chunk.length; at += ROWS_PER_INSERT) {
        await trx
          .insertInto(table)
          // The two row types are tied to `table` above; Kysely's own
          // overloads cannot see that through the generic.
          .values(chunk.slice(at, at + ROWS_PER_INSERT) as never)
          .execute();
      }
    });
  }
}
