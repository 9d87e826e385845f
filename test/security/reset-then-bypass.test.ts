/**
 * A password reset used to get round the security code: whoever holds
 * the reset link sets a password, and still owes the code a two-factor
 * user is mailed before any session opens; a code mailed to a sign-in
 * begun before the reset opens nothing after it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInstance, type TestInstance } from '../support/instance.ts';
import { latestCode, PASSWORD } from '../support/journey.ts';
import {
  addResetAccounts,
  CODED,
  NEW_PASSWORD,
  PORTAL,
  resetSteps,
  startEachTestInANewHour,
} from '../support/reset-accounts.ts';

let cv: TestInstance;
const ids: Record<string, string> = {};

beforeAll(async () => {
  cv = await startInstance({ PUBLIC_URL: PORTAL });
  Object.assign(ids, await addResetAccounts(cv));
});
afterAll(async () => {
  await cv.stop();
});

startEachTestInANewHour(() => cv);

const { reset, signIn, resetToken } = resetSteps(() => cv);

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
