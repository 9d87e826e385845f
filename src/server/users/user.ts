/**
 * A user as the domain sees it, and the few lookups every area needs.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Role } from '../../api/schemas.ts';
import type { Database, UsersTable } from '../db/schema.ts';
import { AppError } from '../errors.ts';

export type UserRecord = Selectable<UsersTable>;

/** The form of an email address that uniqueness and sign-in compare. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Text the Users search looks in. */
export function searchText(email: string, first: string, last: string): string {
  return `${first} ${last} ${email}`.toLowerCase();
}

export function rolesOf(user: UserRecord): Role[] {
  const roles: Role[] = [];
  if (user.role_administrator) roles.push('administrator');
  if (user.role_supervisor) roles.push('supervisor');
  if (user.role_user) roles.push('user');
  return roles;
}

export function roleColumns(roles: readonly Role[]) {
  return {
    role_administrator: roles.includes('administrator') ? 1 : 0,
    role_supervisor: roles.includes('supervisor') ? 1 : 0,
    role_user: roles.includes('user') ? 1 : 0,
  };
}

/** "First Last", or the email when the user gave no name. */
export function displayName(user: UserRecord): string {
  return `${user.first_name} ${user.last_name}`.trim() || user.email;
}

export function findUserById(
  db: Kysely<Database>,
  id: string,
): Promise<UserRecord | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The user an administrator's request names, or 404 USER_NOT_FOUND. */
export async function userOrNotFound(
  db: Kysely<Database>,
  id: string,
): Promise<UserRecord> {
  const user = await findUserById(db, id);
  if (!user) throw new AppError('USER_NOT_FOUND');
  return user;
}

export function findUserByEmail(
  db: Kysely<Database>,
  email: string,
): Promise<UserRecord | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where('email_normalized', '=', normaliseEmail(email))
    .executeTakeFirst();
}

/** Counts active administrators, leaving one user out of the count. */
export async function otherActiveAdministrators(
  db: Kysely<Database>,
  userId: string,
): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('role_administrator', '=', 1)
    .where('status', '=', 'active')
    .where('id', '!=', userId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
