import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeIn } from '../support/smtp.ts';
import { startInstance, type TestInstance } from '../support/instance.ts';

let cv: TestInstance;
beforeAll(async () => {
  cv = await startInstance();
});
afterAll(async () => {
  await cv.stop();
});

describe('the journey over HTTP', () => {
  it('takes a two-factor user from invitation to Home', async () => {
    const { client } = await cv.addActiveUser({
      email: 'ann@callvault.test',
      twoFactor: true,
      firstName: 'Ann',
      lastName: 'Lee',
    });
    const me = await client.get('/api/me');
    expect(me.status).toBe(200);
    expect(me.body.firstName).toBe('Ann');

    const again = cv.client();
    const step = await again.post('/api/sign-in', {
      email: 'ANN@callvault.test',
      password: 'a long and personal passphrase',
    });
    expect(step.body.step).toBe('code');
    expect((await again.get('/api/me')).status).toBe(401);
    const mail = await cv.smtp.waitFor('ann@callvault.test', 3);
    const done = await again.post('/api/sign-in/code', { code: codeIn(mail) });
    expect(done.body).toEqual({ step: 'home', redirect: '/' });
    expect((await again.get('/api/me')).status).toBe(200);
  });
});
