/**
 * Single-use links (invitations, password resets, first setup). The token is
 * in the URL's fragment; the database keeps only its hash.
 */
import type { Kysely } from 'kysely';
import type { Database, LinksTable } from '../db/schema.ts';
import { hashToken, newId, newToken } from './secrets.ts';

type Purpose = LinksTable['purpose'];

/** Makes a link, voiding every earlier unused link of the same purpose. */
export async function createLink(
  db: Kysely<Database>,
  now: Date,
  link: {
    purpose: Purpose;
    userId: string | null;
    createdBy: string | null;
    expiresAt: Date;
  },
): Promise<string> {
  let earlier = db
    .updateTable('links')
    .set({ voided_at: now.toISOString() })
    .where('purpose', '=', link.purpose)
    .where('used_at', 'is', null)
    .where('voided_at', 'is', null);
  earlier = link.userId
    ? earlier.where('user_id', '=', link.userId)
    : earlier.where('user_id', 'is', null);
  await earlier.execute();

  const token = newToken();
  await db
    .insertInto('links')
    .values({
      id: newId(),
      purpose: link.purpose,
      token_hash: hashToken(token),
      user_id: link.userId,
      created_by: link.createdBy,
      created_at: now.toISOString(),
      expires_at: link.expiresAt.toISOString(),
      used_at: null,
      voided_at: null,
    })
    .execute();
  return token;
}

/**
 * Uses a link up. One conditional UPDATE decides: of many simultaneous
 * clicks on one link, exactly one gets the row back; the others get null,
 * as do voided, used and expired links.
 */
export async function consumeLink(
  db: Kysely<Database>,
  now: Date,
  purpose: Purpose,
  token: string,
): Promise<{ userId: string | null } | null> {
  const row = await db
    .updateTable('links')
    .set({ used_at: now.toISOString() })
    .where('token_hash', '=', hashToken(token))
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('voided_at', 'is', null)
    .where('expires_at', '>', now.toISOString())
    .returning('user_id')
    .executeTakeFirst();
  return row ? { userId: row.user_id } : null;
}

/**
 * The user a live link belongs to, without using it up: a reset checks the
 * new password before it spends the link, and `consumeLink` still decides.
 */
export async function peekLink(
  db: Kysely<Database>,
  now: Date,
  purpose: Purpose,
  token: string,
): Promise<{ userId: string | null } | null> {
  const row = await db
    .selectFrom('links')
    .select('user_id')
    .where('token_hash', '=', hashToken(token))
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('voided_at', 'is', null)
    .where('expires_at', '>', now.toISOString())
    .executeTakeFirst();
  return row ? { userId: row.user_id } : null;
}
