/**
 * The first administrator. Callvault never ships a default password: either
 * ADMIN_EMAIL and ADMIN_PASSWORD name one, or a one-time setup link, valid
 * 24 hours, is printed to the console for the person who started it.
 */
import type { Kysely } from 'kysely';
import { recordAudit } from '../audit/audit.ts';
import type { Database } from '../db/schema.ts';
import { AppError, fieldError } from '../errors.ts';
import {
  normaliseEmail,
  roleColumns,
  searchText,
  type UserRecord,
} from '../users/user.ts';
import { HOUR, later, type DomainContext, type RequestMeta } from './context.ts';
import { consumeLink, createLink } from './links.ts';
import { hashPassword, passwordProblem } from './password.ts';
import { newId } from './secrets.ts';
import { inTransaction } from '../db/transaction.ts';

export const SETUP_LINK_LIFETIME_MS = 24 * HOUR;

async function hasAdministrator(db: Kysely<Database>): Promise<boolean> {
  const row = await db
    .selectFrom('users')
    .select('id')
    .where('role_administrator', '=', 1)
    .where('status', '=', 'active')
    .executeTakeFirst();
  return Boolean(row);
}

export type SetupState =
  | { kind: 'ready' }
  | { kind: 'created'; email: string }
  | { kind: 'link'; url: string; expiresAt: Date };

/** Runs at start-up: makes sure an administrator exists or can be made. */
export async function prepareAdministrator(ctx: DomainContext): Promise<SetupState> {
  if (await hasAdministrator(ctx.db)) return { kind: 'ready' };

  const initial = ctx.config.initialAdmin;
  if (initial) {
    const created = await createAdministrator(ctx, {
      email: initial.email,
      firstName: '',
      lastName: '',
      password: initial.password,
    });
    return created ? { kind: 'created', email: initial.email } : { kind: 'ready' };
  }

  // A new link voids the one printed before.
  // TODO(limitation: setup-link-instances) so does another instance's.
  const now = ctx.clock();
  const expiresAt = later(now, SETUP_LINK_LIFETIME_MS);
  const token = await createLink(ctx.db, now, {
    purpose: 'setup',
    userId: null,
    createdBy: null,
    expiresAt,
  });
  const url = new URL(`/setup#${token}`, ctx.config.publicUrl).href;
  return { kind: 'link', url, expiresAt };
}

/** Whether the setup page still has work to do. */
export async function setupNeeded(ctx: DomainContext): Promise<boolean> {
  return !(await hasAdministrator(ctx.db));
}

export interface AdministratorInput {
  email: string;
  firstName: string;
  lastName: string;
  password: string;
}

/** The setup page's form: uses the link up and creates the administrator. */
export async function completeSetup(
  ctx: DomainContext,
  token: string,
  input: AdministratorInput,
  meta: RequestMeta,
): Promise<void> {
  // Said first, so that nobody is coached on a password for nothing.
  if (await hasAdministrator(ctx.db)) throw new AppError('SETUP_DONE');

  const problem = passwordProblem(input.password, input);
  if (problem) throw fieldError('password', problem);
  const passwordHash = await hashPassword(input.password);

  await inTransaction(ctx.db, async (trx) => {
    if (await hasAdministrator(trx)) throw new AppError('SETUP_DONE');
    if (!(await consumeLink(trx, ctx.clock(), 'setup', token))) {
      throw new AppError('SETUP_INVALID');
    }
    const admin = await insertAdministrator(ctx, trx, input, passwordHash);
    await recordAudit(trx, ctx.clock(), {
      event: 'setup.completed',
      actor: admin,
      target: admin,
      ip: meta.ip,
    });
  });
}

/**
 * From ADMIN_EMAIL / ADMIN_PASSWORD; a weak password stops start-up.
 * Returns false when another instance, starting at the same time, made
 * the administrator first.
 */
async function createAdministrator(
  ctx: DomainContext,
  input: AdministratorInput,
): Promise<boolean> {
  const problem = passwordProblem(input.password, input);
  if (problem) {
    throw new Error(`ADMIN_PASSWORD is not accepted: ${problem}`);
  }
  const passwordHash = await hashPassword(input.password);

  return inTransaction(ctx.db, async (trx) => {
    if (await hasAdministrator(trx)) return false;
    const existing = await trx
      .selectFrom('users')
      .select('id')
      .where('email_normalized', '=', normaliseEmail(input.email))
      .executeTakeFirst();
    if (existing) {
      throw new Error(
        `ADMIN_EMAIL ${input.email} belongs to a user who is not an active ` +
          'administrator; choose another address',
      );
    }
    const admin = await insertAdministrator(ctx, trx, input, passwordHash);
    await recordAudit(trx, ctx.clock(), {
      event: 'setup.completed',
      actor: admin,
      target: admin,
      detail: { from: 'ADMIN_EMAIL' },
    });
    return true;
  });
}

async function insertAdministrator(
  ctx: DomainContext,
  db: Kysely<Database>,
  input: AdministratorInput,
  passwordHash: string,
): Promise<UserRecord> {
  const now = ctx.clock().toISOString();
  const admin: UserRecord = {
    id: newId(),
    email: input.email,
    email_normalized: normaliseEmail(input.email),
    first_name: input.firstName,
    last_name: input.lastName,
    search_text: searchText(input.email, input.firstName, input.lastName),
    ...roleColumns(['administrator', 'user']),
    two_factor: 0,
    status: 'active',
    must_personalise: 0,
    password_hash: passwordHash,
    created_at: now,
    updated_at: now,
    last_sign_in_at: null,
    security_version: 0,
  };
  await db.insertInto('users').values(admin).execute();
  return admin;
}

