/**
 * User administration: list, add, edit, resend invitation. Every function
 * takes the acting administrator, already checked by `requireAdministrator`.
 */
import type { Kysely } from 'kysely';
import type {
  InvitationDelivery,
  Role,
  UserPage,
  UserRow,
  UpdateUserBody,
} from '../../api/schemas.ts';
import { recordAudit } from '../audit/audit.ts';
import type { DomainContext, RequestMeta } from '../auth/context.ts';
import { sendInvitation } from '../auth/invitation.ts';
import { notifyTwoFactorChanged } from '../auth/security-notices.ts';
import { newId } from '../auth/secrets.ts';
import { endAllSessionsOf } from '../auth/session.ts';
import { isUniqueViolation } from '../db/errors.ts';
import type { Database } from '../db/schema.ts';
import { AppError, fieldError } from '../errors.ts';
import { pageEmails } from './user-search.ts';
import {
  userOrNotFound,
  normaliseEmail,
  otherActiveAdministrators,
  roleColumns,
  rolesOf,
  searchText,
  type UserRecord,
} from '../users/user.ts';
import { inTransaction } from '../db/transaction.ts';

export interface NewUser {
  email: string;
  firstName: string;
  lastName: string;
  roles: Role[];
  twoFactor: boolean;
}

/**
 * One page of users in email order. Keyset paging (WHERE email > cursor)
 * costs the same on page 1 and page 4,000.
 */
export async function listUsers(
  ctx: DomainContext,
  query: { search?: string; after?: string; limit: number },
): Promise<UserPage> {
  const search = query.search?.trim().toLowerCase() ?? '';
  // The page is picked on indexes alone; only its users are read in full.
  const after = query.after ?? '';
  const emails = await pageEmails(ctx.db, search, after, query.limit + 1);
  const rows =
    emails.length === 0
      ? []
      : await ctx.db
          .selectFrom('users')
          .selectAll()
          .where('email_normalized', 'in', emails)
          .orderBy('email_normalized')
          .execute();
  const page = rows.slice(0, query.limit);
  const delivery = await invitationState(ctx.db, page, ctx.clock());

  return {
    users: page.map((row) => toUserRow(row, delivery.get(row.id))),
    nextCursor:
      rows.length > query.limit ? (page.at(-1)?.email_normalized ?? null) : null,
  };
}

interface InvitationState {
  delivery: InvitationDelivery;
  expiresAt: string | null;
  /** The live link ran out unused: only "Resend invitation" helps now. */
  expired: boolean;
}

/** Delivery and expiry of the latest invitation of each invited user. */
async function invitationState(
  db: Kysely<Database>,
  users: UserRecord[],
  now: Date,
): Promise<Map<string, InvitationState>> {
  const invited = users.filter((u) => u.status === 'invited').map((u) => u.id);
  const states = new Map<string, InvitationState>();
  if (invited.length === 0) return states;

  const mails = await db
    .selectFrom('outbox')
    .select(['user_id', 'sent_at', 'attempts', 'discarded_at', 'created_at'])
    .where('kind', '=', 'invitation')
    .where('user_id', 'in', invited)
    .orderBy('created_at')
    .execute();
  const links = await db
    .selectFrom('links')
    .select(['user_id', 'expires_at', 'used_at'])
    .where('purpose', '=', 'invitation')
    .where('voided_at', 'is', null)
    .where('user_id', 'in', invited)
    .execute();

  for (const id of invited) {
    const mail = mails.filter((m) => m.user_id === id).at(-1);
    const link = links.find((l) => l.user_id === id);
    let delivery: InvitationDelivery = null;
    if (mail?.sent_at) delivery = 'sent';
    else if (mail && !mail.discarded_at) {
      delivery = mail.attempts > 0 ? 'retrying' : 'queued';
    }
    const expired =
      link !== undefined &&
      link.used_at === null &&
      link.expires_at <= now.toISOString();
    states.set(id, { delivery, expiresAt: link?.expires_at ?? null, expired });
  }
  return states;
}

function toUserRow(user: UserRecord, invitation?: InvitationState): UserRow {
  return {
    id: user.id,
    email: user.email,
    firstName: user.first_name,
    lastName: user.last_name,
    roles: rolesOf(user),
    twoFactor: Boolean(user.two_factor),
    status: user.status,
    lastSignInAt: user.last_sign_in_at,
    createdAt: user.created_at,
    invitationDelivery: invitation?.delivery ?? null,
    invitationExpiresAt: invitation?.expiresAt ?? null,
    invitationExpired: invitation?.expired ?? false,
  };
}

/** One user, as the edit form shows them. */
export async function getUser(ctx: DomainContext, id: string): Promise<UserRow> {
  const user = await userOrNotFound(ctx.db, id);
  const states = await invitationState(ctx.db, [user], ctx.clock());
  return toUserRow(user, states.get(user.id));
}

/** Adds an invited user and queues their invitation, in one transaction. */
export async function createUser(
  ctx: DomainContext,
  admin: UserRecord,
  input: NewUser,
  meta: RequestMeta,
): Promise<UserRow> {
  const now = ctx.clock().toISOString();
  const user: UserRecord = {
    id: newId(),
    email: input.email,
    email_normalized: normaliseEmail(input.email),
    first_name: input.firstName,
    last_name: input.lastName,
    search_text: searchText(input.email, input.firstName, input.lastName),
    ...roleColumns(input.roles),
    two_factor: input.twoFactor ? 1 : 0,
    status: 'invited',
    must_personalise: 1,
    password_hash: null,
    created_at: now,
    updated_at: now,
    last_sign_in_at: null,
    security_version: 0,
  };

  const taken = () =>
    new AppError('EMAIL_TAKEN', {
      fields: { email: 'A user with this email address already exists.' },
    });

  await inTransaction(ctx.db, async (trx) => {
    // Two admins adding one address at once: the UNIQUE index decides.
    await trx
      .insertInto('users')
      .values(user)
      .execute()
      .catch((error: unknown) => {
        throw isUniqueViolation(error) ? taken() : error;
      });
    await sendInvitation(ctx, trx, user, admin);
    await recordAudit(trx, ctx.clock(), {
      event: 'user.created',
      actor: admin,
      target: user,
      ip: meta.ip,
      detail: { roles: input.roles, twoFactor: input.twoFactor },
    });
    await recordAudit(trx, ctx.clock(), {
      event: 'invitation.sent',
      actor: admin,
      target: user,
      ip: meta.ip,
    });
  });

  ctx.mailQueued();
  return getUser(ctx, user.id);
}

/**
 * Changes a user. A change to two-factor, roles or status ends all of that
 * user's sessions, so nothing granted before the change outlives it.
 */
export async function updateUser(
  ctx: DomainContext,
  admin: UserRecord,
  id: string,
  input: UpdateUserBody,
  meta: RequestMeta,
): Promise<UserRow> {
  await inTransaction(ctx.db, async (trx) => {
    const user = await userOrNotFound(trx, id);

    const changes = describeChanges(user, input);
    if (Object.keys(changes).length === 0) return;

    await guardLastAdministrator(trx, user, input);
    const status = nextStatus(user, input.status);

    const firstName = input.firstName ?? user.first_name;
    const lastName = input.lastName ?? user.last_name;
    const now = ctx.clock();
    await trx
      .updateTable('users')
      .set({
        first_name: firstName,
        last_name: lastName,
        search_text: searchText(user.email, firstName, lastName),
        ...roleColumns(input.roles ?? rolesOf(user)),
        two_factor:
          input.twoFactor === undefined ? user.two_factor : input.twoFactor ? 1 : 0,
        status,
        updated_at: now.toISOString(),
      })
      .where('id', '=', id)
      .execute();
    await recordAudit(trx, now, {
      event: 'user.updated',
      actor: admin,
      target: user,
      ip: meta.ip,
      detail: { changes },
    });

    const securityChange = ['roles', 'twoFactor', 'status'].some(
      (field) => field in changes,
    );
    if (securityChange) {
      const { ended } = await endAllSessionsOf(trx, id);
      await recordAudit(trx, now, {
        event: 'sessions.ended',
        actor: admin,
        target: user,
        ip: meta.ip,
        detail: { sessions: ended, reason: 'account changed' },
      });
    }
    // ASVS 2.5.5: a change of factor is told to the user, by email. This is
    // a notice, not a code: the code still comes at their next sign-in.
    if ('twoFactor' in changes) {
      await notifyTwoFactorChanged(ctx, trx, user, admin, Boolean(input.twoFactor));
    }
  });

  ctx.mailQueued();
  return getUser(ctx, id);
}

/** "Resend invitation": a new link; the previous one stops working. */
export async function resendInvitation(
  ctx: DomainContext,
  admin: UserRecord,
  id: string,
  meta: RequestMeta,
): Promise<UserRow> {
  await inTransaction(ctx.db, async (trx) => {
    const user = await userOrNotFound(trx, id);
    if (user.status === 'disabled') throw new AppError('USER_DISABLED');
    if (user.status !== 'invited') throw new AppError('NOT_INVITED');

    // A browser still half-way through the old link stops there too.
    await endAllSessionsOf(trx, id);
    await sendInvitation(ctx, trx, user, admin);
    await recordAudit(trx, ctx.clock(), {
      event: 'invitation.sent',
      actor: admin,
      target: user,
      ip: meta.ip,
      detail: { resend: true },
    });
  });

  ctx.mailQueued();
  return getUser(ctx, id);
}

type Changes = Record<string, { from: unknown; to: unknown }>;

function describeChanges(user: UserRecord, input: UpdateUserBody): Changes {
  const changes: Changes = {};
  const note = (field: string, from: unknown, to: unknown) => {
    if (to !== undefined && JSON.stringify(from) !== JSON.stringify(to)) {
      changes[field] = { from, to };
    }
  };
  note('firstName', user.first_name, input.firstName);
  note('lastName', user.last_name, input.lastName);
  note('roles', rolesOf(user), input.roles);
  note('twoFactor', Boolean(user.two_factor), input.twoFactor);
  note('status', user.status, statusAfter(user, input.status));
  return changes;
}

/** An invited user stays "invited" until they accept, unless disabled. */
function statusAfter(user: UserRecord, wanted: UpdateUserBody['status']) {
  if (wanted === undefined) return undefined;
  if (wanted === 'active' && !user.password_hash) return 'invited';
  return wanted;
}

function nextStatus(user: UserRecord, wanted: UpdateUserBody['status']) {
  return statusAfter(user, wanted) ?? user.status;
}

/** Callvault always keeps one active administrator. */
async function guardLastAdministrator(
  db: Kysely<Database>,
  user: UserRecord,
  input: UpdateUserBody,
): Promise<void> {
  const isActiveAdmin = user.role_administrator && user.status === 'active';
  const losesRole = input.roles && !input.roles.includes('administrator');
  const disabled = input.status === 'disabled';
  if (!isActiveAdmin || !(losesRole || disabled)) return;

  if ((await otherActiveAdministrators(db, user.id)) === 0) {
    throw new AppError('LAST_ADMINISTRATOR', {
      fields: losesRole
        ? { roles: 'Callvault needs at least one active administrator.' }
        : { status: 'Callvault needs at least one active administrator.' },
    });
  }
}
