/**
 * A password reset used to get round the security code: whoever holds
 * the reset link sets a password, and still owes the code a two-factor
 * user is mailed before any session opens; a code mailed to a sign-in
 * begun before the reset opens nothing after it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Client } from '../support/client.ts';
import { startInstance, type TestInstance } from '../support/instance.ts';
import {
  latestCode,
  mailedResetToken,
  PASSWORD,
  resetPassword,
} from '../support/journey.ts';

const PORTAL = 'http://portal.callvault.test:8443';
const HOUR = 3_600_000;
const NEW_PASSWORD = 'a brand new winter passphrase';

const ACTIVE = 'active@reset.test';
const DISABLED = 'disabled@reset.test';
const INVITED = 'invited@reset.test';
const CODED = 'coded@reset.test';

let cv: TestInstance;
const ids: Record<string, string> = {};

beforeAll(async () => {
  cv = await startInstance({ PUBLIC_URL: PORTAL });
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
});
afterAll(async () => {
  await cv.stop();
});

// Every test starts in a new hour, so that the hourly allowances spent by
// one test (all from 127.0.0.1) do not refuse the next.
beforeEach(() => {
  cv.advance(HOUR + 1000);
});

function reset(token: string, password = NEW_PASSWORD, client: Client = cv.client()) {
  return resetPassword(cv, token, password, client);
}

function signIn(email: string, password: string, client: Client = cv.client()) {
  return client.post('/api/sign-in', { email, password });
}

function resetToken(address: string): Promise<string> {
  return mailedResetToken(cv, address);
}

describe('reset, then try to skip the security code', () => {
  it('still asks a two-factor user for the code', async () => {
    const attacker = cv.client();
    const token = await resetToken(CODED);
    expect((await reset(token, NEW_PASSWORD, attacker)).status).toBe(204);
    expect(await attacker.cookie('callvault_session')).toBeUndefined();

    const step = await signIn(CODED, NEW_PASSWORD, attacker);

    expect(step.status).toBe(200);
    expect(step.body.step).toBe('code');
    expect(await attacker.cookie('callvault_session')).toBeUndefined();
    const me = await attacker.get('/api/me');
    expect(me.status).toBe(401);
    expect(me.body.code).toBe('CODE_REQUIRED');
    expect((await attacker.get('/api/users')).status).toBe(401);

    expect((await reset(await resetToken(CODED), PASSWORD)).status).toBe(204);
  });

  it('ends the pending sign-ins of the user too', async () => {
    const halfWay = cv.client();
    expect((await signIn(CODED, PASSWORD, halfWay)).body.step).toBe('code');
    const code = await latestCode(cv, CODED);

    expect((await reset(await resetToken(CODED), NEW_PASSWORD)).status).toBe(204);

    const late = await halfWay.post('/api/sign-in/code', { code });
    expect(late.status).toBe(401);
    expect((await halfWay.get('/api/me')).status).toBe(401);
    expect((await reset(await resetToken(CODED), PASSWORD)).status).toBe(204);
  });
});
