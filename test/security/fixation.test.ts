/**
 * Session fixation: an attacker who plants a cookie value in the victim's
 * browser before sign-in must not share the session that follows. Every
 * step hands out a fresh token of the server's own making.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../support/client.ts';
import { startInstance, type TestInstance } from '../support/instance.ts';
import { latestCode, PASSWORD } from '../support/journey.ts';

let cv: TestInstance;
beforeAll(async () => {
  cv = await startInstance();
});
afterAll(async () => {
  await cv?.stop();
});

const PLANTED = 'attacker-chosen-value-0123456789abcdefghijklmno';

/** A browser with the attacker's values already in its cookies. */
async function plantedBrowser(): Promise<Client> {
  const victim = cv.client();
  for (const name of ['callvault_session', 'callvault_pending', 'callvault_device']) {
    await victim.jar.setCookie(`${name}=${PLANTED}`, cv.url);
  }
  return victim;
}

/** The attacker, holding only the planted value. */
async function attacker(name: string): Promise<Client> {
  const client = cv.client();
  await client.jar.setCookie(`${name}=${PLANTED}`, cv.url);
  return client;
}

describe('a planted cookie', () => {
  it('is replaced at password sign-in, and opens nothing', async () => {
    const email = 'fixed@fixation.test';
    await cv.addActiveUser({ email });
    const victim = await plantedBrowser();

    const answer = await victim.post('/api/sign-in', { email, password: PASSWORD });

    expect(answer.body.step).toBe('home');
    const session = await victim.cookie('callvault_session');
    expect(session).toBeTruthy();
    expect(session).not.toBe(PLANTED);
    expect((await victim.get('/api/me')).status).toBe(200);
    expect((await (await attacker('callvault_session')).get('/api/me')).status).toBe(401);
  });

  it('is replaced at each step of a two-factor sign-in', async () => {
    const email = 'fixed-2fa@fixation.test';
    await cv.addActiveUser({ email, twoFactor: true });
    const victim = await plantedBrowser();

    await victim.post('/api/sign-in', { email, password: PASSWORD });
    const pending = await victim.cookie('callvault_pending');
    expect(pending).not.toBe(PLANTED);
    const spy = await attacker('callvault_pending');
    expect((await spy.get('/api/sign-in/code')).status).toBe(401);

    await victim.post('/api/sign-in/code', { code: await latestCode(cv, email) });

    expect(await victim.cookie('callvault_session')).not.toBe(PLANTED);
    expect((await victim.get('/api/me')).status).toBe(200);
    expect((await (await attacker('callvault_session')).get('/api/me')).status).toBe(401);
  });

  it('does not make the planted device known to the account', async () => {
    const email = 'fixed-device@fixation.test';
    await cv.addActiveUser({ email });
    const victim = await plantedBrowser();

    await victim.post('/api/sign-in', { email, password: PASSWORD });

    // The device cookie is the server's own, not the planted value.
    expect(await victim.cookie('callvault_device')).not.toBe(PLANTED);
  });
});
