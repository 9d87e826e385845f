/**
 * The accounts the password reset tests ask for links for: one active,
 * one disabled, one invited and one with two-factor sign-in, each on an
 * instance whose public address is PORTAL, and the steps they repeat.
 */
import { beforeEach } from 'vitest';
import type { Client } from './client.ts';
import type { TestInstance } from './instance.ts';
import { askForReset, mailedResetToken, resetPassword } from './journey.ts';

export const PORTAL = 'http://portal.callvault.test:8443';
export const HOUR = 3_600_000;
export const NEW_PASSWORD = 'a brand new winter passphrase';

export const ACTIVE = 'active@reset.test';
export const DISABLED = 'disabled@reset.test';
export const INVITED = 'invited@reset.test';
export const CODED = 'coded@reset.test';

/** Adds the four accounts and returns their ids by email. */
export async function addResetAccounts(
  cv: TestInstance,
): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  const admin = await cv.admin();

  ids[ACTIVE] = (await cv.addActiveUser({ email: ACTIVE })).id;
  ids[DISABLED] = (await cv.addActiveUser({ email: DISABLED })).id;
  await admin.patch(`/api/users/${ids[DISABLED]}`, { status: 'disabled' });
  const invited = await admin.post('/api/users', {
    email: INVITED,
    roles: ['user'],
    twoFactor: false,
  });
  ids[INVITED] = invited.body.id;
  ids[CODED] = (await cv.addActiveUser({ email: CODED, twoFactor: true })).id;
  return ids;
}

/**
 * Every test starts in a new hour, so that the hourly allowances spent by
 * one test (all from 127.0.0.1) do not refuse the next.
 */
export function startEachTestInANewHour(instance: () => TestInstance) {
  beforeEach(() => {
    instance().advance(HOUR + 1000);
  });
}

/**
 * The reset steps, bound to the instance a test file starts in its own
 * beforeAll; it is read when a step runs, not before.
 */
export function resetSteps(instance: () => TestInstance) {
  function forgot(email: string, client: Client = instance().client()) {
    return askForReset(instance(), email, client);
  }

  function reset(
    token: string,
    password = NEW_PASSWORD,
    client: Client = instance().client(),
  ) {
    return resetPassword(instance(), token, password, client);
  }

  function signIn(
    email: string,
    password: string,
    client: Client = instance().client(),
  ) {
    return client.post('/api/sign-in', { email, password });
  }

  function resetToken(address: string): Promise<string> {
    return mailedResetToken(instance(), address);
  }

  /** How many reset emails were queued for an address. */
  async function resetMailsQueued(address: string): Promise<number> {
    const row = await instance()
      .callvault.db.selectFrom('outbox')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('to_address', '=', address)
      .where('kind', '=', 'password_reset')
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  return { forgot, reset, signIn, resetToken, resetMailsQueued };
}
