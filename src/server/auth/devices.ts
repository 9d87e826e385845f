/**
 * Known devices: a browser that completed a sign-in of a user keeps a
 * long-lived random token (only its hash is stored). Its own failures are
 * counted on their own, so an attacker hammering the address cannot keep
 * the owner's usual browser out (NIST 800-63B 5.2.2).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { hashToken, newId, newToken } from './secrets.ts';

/** The device's id when `token` is a device this user signed in on. */
export async function recognisedDevice(
  db: Kysely<Database>,
  token: string | null,
  userId: string,
): Promise<string | null> {
  if (!token) return null;
  const row = await db
    .selectFrom('known_devices')
    .select('id')
    .where('token_hash', '=', hashToken(token))
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.id ?? null;
}

/**
 * Marks this browser as one the user signs in on, after a complete
 * sign-in. Returns the token to keep in the device cookie: the same one
 * when it already belongs to this user, else a new one.
 */
export async function rememberDevice(
  db: Kysely<Database>,
  now: Date,
  userId: string,
  token: string | null,
): Promise<string> {
  const at = now.toISOString();
  if (token) {
    const touched = await db
      .updateTable('known_devices')
      .set({ last_used_at: at })
      .where('token_hash', '=', hashToken(token))
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (Number(touched.numUpdatedRows) === 1) return token;
  }

  const fresh = newToken();
  await db
    .insertInto('known_devices')
    .values({
      id: newId(),
      token_hash: hashToken(fresh),
      user_id: userId,
      created_at: at,
      last_used_at: at,
    })
    .execute();
  return fresh;
}

/**
 * Forgets the browsers a user signed in on (after a password reset or
 * change): one that signed in with the old password must not keep a
 * failure count of its own. Their counts go with them. `keep` spares the
 * browser making the change.
 */
export async function forgetDevices(
  db: Kysely<Database>,
  userId: string,
  keep: string | null = null,
): Promise<void> {
  let query = db.selectFrom('known_devices').select('id').where('user_id', '=', userId);
  if (keep) query = query.where('token_hash', '!=', hashToken(keep));
  const ids = (await query.execute()).map((row) => row.id);
  if (ids.length === 0) return;

  await db
    .deleteFrom('throttles')
    .where('key', 'in', ids.map((id) => `sign-in:device:${id}`))
    .execute();
  await db.deleteFrom('known_devices').where('id', 'in', ids).execute();
}
