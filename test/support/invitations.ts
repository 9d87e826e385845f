/**
 * Helpers for tests of invitation links against a real instance: invite
 * a user as the first administrator, read the token from the mail, accept
 * it in a fresh browser, and read back the user and their pending sign-ins.
 */
import { expect } from 'vitest';
import type { TestInstance } from './instance.ts';
import { linkIn, type ReceivedMail } from './smtp.ts';

/** The token in the invitation link of `mail`. */
export function tokenIn(mail: ReceivedMail): string {
  return new URL(linkIn(mail)).hash.slice(1);
}

/**
 * The helpers, bound to the instance a test file starts in its own
 * beforeAll; it is read when a helper runs, not before.
 */
export function invitations(instance: () => TestInstance) {
  /** Adds an invited user as the first administrator; returns the row. */
  async function invite(email: string, twoFactor = false) {
    const admin = await instance().admin();
    const created = await admin.post('/api/users', {
      email,
      firstName: 'New',
      lastName: 'Person',
      roles: ['user'],
      twoFactor,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body as {
      id: string;
      createdAt: string;
      invitationExpiresAt: string;
    };
  }

  function accept(token: string) {
    return instance().client().post('/api/invitations/accept', { token });
  }

  function userRow(id: string) {
    return instance()
      .callvault.db.selectFrom('users')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  }

  function pendingOf(userId: string) {
    return instance()
      .callvault.db.selectFrom('pending_sign_ins')
      .selectAll()
      .where('user_id', '=', userId)
      .execute();
  }

  return { tokenIn, invite, accept, userRow, pendingOf };
}
