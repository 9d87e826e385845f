/**
 * Open redirects attacked over HTTP: a "next" page, carried through
 * sign-in and the security code step, never sends a browser off this
 * origin, and a page request never redirects to another host.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../support/client.ts';
import { startInstance, type TestInstance } from '../support/instance.ts';
import { signInForCode } from '../support/journey.ts';
import { codeIn } from '../support/smtp.ts';

const PASSWORD = 'a long and personal passphrase';
const ACTIVE = 'active@sign-in.test';
const DISABLED = 'disabled@sign-in.test';
const INVITED = 'invited@sign-in.test';
const CODED = 'coded@sign-in.test';

let cv: TestInstance;
let admin: Client;

beforeAll(async () => {
  cv = await startInstance();
  admin = await cv.admin();

  await cv.addActiveUser({ email: ACTIVE });
  const { id: disabledId } = await cv.addActiveUser({ email: DISABLED });
  await admin.patch(`/api/users/${disabledId}`, { status: 'disabled' });
  await admin.post('/api/users', { email: INVITED, roles: ['user'], twoFactor: false });
  await cv.addActiveUser({ email: CODED, twoFactor: true });
});
afterAll(async () => {
  await cv.stop();
});

/** A GET whose path goes to the server exactly as written. */
function rawGet(path: string): Promise<{ status: number; location?: string }> {
  const url = new URL(cv.url);
  return new Promise((resolve, reject) => {
    http
      .get({ host: url.hostname, port: url.port, path }, (response) => {
        response.resume();
        resolve({
          status: response.statusCode ?? 0,
          location: response.headers.location,
        });
      })
      .on('error', reject);
  });
}

function signIn(email: string, password: string, extra: Record<string, unknown> = {}) {
  return cv.client().post('/api/sign-in', { email, password, ...extra });
}

describe('redirects after sign-in stay on this origin', () => {
  it.each([
    'https://evil.test',
    '//evil.test',
    '/\\evil.test',
    'javascript:alert(1)',
    '/api/users',
    '/..//evil.test',
    '/%2e%2e//evil.test',
    '/\t/evil.test',
  ])('sends next=%j to Home', async (next) => {
    const answer = await signIn(ACTIVE, PASSWORD, { next });

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ step: 'home', redirect: '/' });
  });

  it('keeps a page of this portal, with its query', async () => {
    const answer = await signIn(ACTIVE, PASSWORD, { next: '/settings/users?x=1' });

    expect(answer.body).toEqual({ step: 'home', redirect: '/settings/users?x=1' });
  });

  it('carries only a safe next through the security code step', async () => {
    const browser = cv.client();
    const received = cv.smtp.to(CODED).length;

    const step = await browser.post('/api/sign-in', {
      email: CODED,
      password: PASSWORD,
      next: '//evil.test',
    });
    expect(step.body.step).toBe('code');
    expect(step.body.redirect).toMatch(/^\/sign-in\/code(\?|$)/);
    expect(step.body.redirect).not.toContain('evil.test');

    const mail = await cv.smtp.waitFor(CODED, received + 1);
    const done = await browser.post(
      `/api/sign-in/code?next=${encodeURIComponent('https://evil.test/x')}`,
      { code: codeIn(mail) },
    );
    expect(done.body).toEqual({ step: 'home', redirect: '/' });
  });

  it('sends a stranger who opens a page to sign-in with that page kept', async () => {
    const answer = await cv.client().get('/settings/users?x=1');

    expect(answer.status).toBe(303);
    const location = answer.headers.get('location')!;
    expect(location).toMatch(/^\/sign-in\?next=/);
    expect(new URL(location, cv.url).searchParams.get('next')).toBe('/settings/users?x=1');
  });

  // A request line of "//evil.test/x" is a path on this server; echoing it
  // into a Location header would send the browser to evil.test.
  it('never redirects a page request to another host', async () => {
    for (const path of ['//evil.test/x', '/\\evil.test/x', '//evil.test/%2e%2e']) {
      const answer = await rawGet(path);

      expect(answer.status, path).toBeLessThan(500);
      if (answer.location) {
        expect(answer.location, path).not.toMatch(/^\/[\\/]/);
        expect(new URL(answer.location, cv.url).origin, path).toBe(
          new URL(cv.url).origin,
        );
      }
    }
  });
});

describe('the "next" carried through the security code step', () => {
  it('answers a repeated next parameter without a fault', async () => {
    const email = 'twice-next@breaker.test';
    await cv.addActiveUser({ email, twoFactor: true });
    const { client, code } = await signInForCode(cv, email);

    const answer = await client.post(
      '/api/sign-in/code?next=%2Fsettings&next=%2Fsettings%2Fusers',
      { code },
    );

    expect(answer.status).toBe(200);
    expect(answer.body.step).toBe('home');
    expect(answer.body.redirect).toMatch(/^\/(?![/\\])/);
  });
});
