/**
 * Acting on another user by id, attacked over HTTP: a user ending
 * someone else's session, a supervisor or a user calling an admin route
 * with another user's id, and an administrator naming a user who does not
 * exist. Each is refused as if the target were not there to touch, and
 * nothing about the target changes.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../support/client.ts';
import { startInstance, type TestInstance } from '../support/instance.ts';
import { auditCount, rowsOf } from '../support/journey.ts';

let cv: TestInstance;
beforeAll(async () => {
  cv = await startInstance();
});
afterAll(async () => {
  await cv.stop();
});

let users = 0;

/** A new active user, signed in in one browser, with a unique address. */
async function newUser(roles: string[] = ['user']) {
  users += 1;
  const email = `by-id-${users}@callvault.test`;
  const { client, id } = await cv.addActiveUser({
    email,
    firstName: 'Petra',
    lastName: 'Quill',
    roles,
  });
  return { client, id, email };
}

async function isSignedIn(client: Client): Promise<boolean> {
  return (await client.get('/api/me')).status === 200;
}

function endSession(client: Client, id: string, headers?: Record<string, string>) {
  return client.request(
    'DELETE',
    `/api/account/sessions/${encodeURIComponent(id)}`,
    undefined,
    headers,
  );
}

/** The user's row as stored, to prove a refused request changed nothing. */
function userRow(id: string) {
  return cv.callvault.db
    .selectFrom('users')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
}

async function count(table: 'users' | 'outbox' | 'links' | 'sessions') {
  const row = await cv.callvault.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Every admin route that names a user by id, with a body that would act. */
function adminRoutes(id: string): Array<[string, string, unknown]> {
  return [
    ['GET', `/api/users/${id}`, undefined],
    ['PATCH', `/api/users/${id}`, { roles: ['administrator'], firstName: 'Owned' }],
    ['POST', `/api/users/${id}/invitation`, {}],
    ['POST', `/api/users/${id}/password-reset`, {}],
    ['POST', `/api/users/${id}/sessions/end`, {}],
    ['DELETE', `/api/users/${id}`, undefined],
  ];
}

describe("another user's session", () => {
  it('treats another user’s session as one that does not exist', async () => {
    const { client: mallory } = await newUser();
    const { client: victim, id: victimId } = await newUser();
    const [victimSession] = (await victim.get('/api/account/sessions')).body.sessions;

    const theirs = await endSession(mallory, victimSession.id);
    const nobody = await endSession(mallory, crypto.randomUUID());

    expect(theirs.status).toBe(404);
    expect(theirs.body).toEqual(nobody.body);
    expect(theirs.body.code).toBe('SESSION_NOT_FOUND');
    expect(await isSignedIn(victim)).toBe(true);
    expect(await isSignedIn(mallory)).toBe(true);
    expect(await auditCount(cv, victimId, 'sessions.ended')).toBe(0);
  });
});

describe('admin routes called with another user’s id', () => {
  it.each([['supervisor'], ['user']])(
    'refuse a %s on every route, and leave the target as it was',
    async (role) => {
      const { client: caller, id: callerId } = await newUser([role]);
      const { client: victim, id: victimId } = await newUser();
      const before = await userRow(victimId);
      const outbox = await count('outbox');

      for (const [method, path, body] of adminRoutes(victimId)) {
        const answer = await caller.request(method, path, body);
        expect([method, path, answer.status, answer.body.code]).toEqual([
          method,
          path,
          403,
          'FORBIDDEN',
        ]);
      }

      expect(await userRow(victimId)).toEqual(before);
      expect(await isSignedIn(victim)).toBe(true);
      expect(await rowsOf(cv, 'sessions', victimId)).toBe(1);
      expect(await count('outbox')).toBe(outbox);
      expect(await auditCount(cv, victimId, 'sessions.ended')).toBe(0);
      // The caller gained nothing either.
      const callerRow = await userRow(callerId);
      expect(callerRow?.role_administrator).toBe(0);
    },
  );

  it('refuses a supervisor who makes another user an administrator', async () => {
    const { client: supervisor } = await newUser(['supervisor']);
    const { id: victimId } = await newUser();

    const patched = await supervisor.patch(`/api/users/${victimId}`, {
      roles: ['administrator', 'user'],
      status: 'disabled',
      twoFactor: true,
    });

    expect(patched.status).toBe(403);
    expect(patched.body.code).toBe('FORBIDDEN');
    const row = await userRow(victimId);
    expect(row).toMatchObject({
      role_administrator: 0,
      role_user: 1,
      status: 'active',
      two_factor: 0,
    });
  });
});

describe('an id that names no user', () => {
  it.each([
    ['a random id', crypto.randomUUID()],
    ['an odd id', 'not-a-user-id'],
  ])('is answered 404 on every admin route for %s, and changes nothing', async (_, id) => {
    const admin = await cv.admin();
    const counts = {
      users: await count('users'),
      outbox: await count('outbox'),
      links: await count('links'),
      sessions: await count('sessions'),
    };

    for (const [method, path, body] of adminRoutes(encodeURIComponent(id))) {
      const answer = await admin.request(method, path, body);
      expect([method, path, answer.status, answer.body.code]).toEqual([
        method,
        path,
        404,
        'USER_NOT_FOUND',
      ]);
    }

    expect({
      users: await count('users'),
      outbox: await count('outbox'),
      links: await count('links'),
      sessions: await count('sessions'),
    }).toEqual(counts);
    expect(await userRow(id)).toBeUndefined();
  });
});
