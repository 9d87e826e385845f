/**
 * Findings of a break-it session, one test per finding. Each test states
 * the behaviour Callvault promises and fails while the finding stands.
 * They run against real instances (own database, SMTP listener, Chromium),
 * like every other security test.
 */
import http from 'node:http';
import os from 'node:os';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/server/config.ts';
import { launchChromium } from '../support/browser.ts';
import type { Answer } from '../support/client.ts';
import { engine } from '../support/database.ts';
import { ADMIN, startInstance, type TestInstance } from '../support/instance.ts';
import {
  auditCount,
  invite,
  latestCode,
  latestInvitation,
  PASSWORD,
  signInForCode,
} from '../support/journey.ts';

let cv: TestInstance;
beforeAll(async () => {
  cv = await startInstance();
});
afterAll(async () => {
  await cv.stop();
});

/** Every sentence of an error answer that a person would read. */
function wordsOf(answer: Answer): string[] {
  const body = answer.body ?? {};
  return [body.message, ...Object.values(body.fields ?? {})].map(String);
}

/** Phrases of the validation library, which no person should read. */
const VALIDATOR_JARGON = /Invalid input|Invalid option|Too big|Too small|expected /;

describe('a sign-in in flight while an administrator ticks two-factor', () => {
  it('leaves no session that skipped the code once the change is saved', async () => {
    const email = 'race-2fa@breaker.test';
    const { id } = await cv.addActiveUser({ email, twoFactor: false });
    const admin = await cv.admin();

    const survivors: number[] = [];
    for (let round = 0; round < 8; round += 1) {
      await admin.patch(`/api/users/${id}`, { twoFactor: false });
      const browser = cv.client();

      // The password check takes a few milliseconds of argon2; the
      // administrator's Save lands inside them.
      const signIn = browser.post('/api/sign-in', { email, password: PASSWORD });
      await new Promise((resolve) => setTimeout(resolve, 3));
      const saved = await admin.patch(`/api/users/${id}`, { twoFactor: true });
      expect(saved.status).toBe(200);
      await signIn;

      if ((await browser.get('/api/me')).status === 200) survivors.push(round);
    }

    expect(survivors).toEqual([]);
  });
});

describe('a security code that is not six digits', () => {
  it('is refused next to the field without spending a try', async () => {
    const email = 'blank-code@breaker.test';
    const { id } = await cv.addActiveUser({ email, twoFactor: true });
    const { client } = await signInForCode(cv, email);
    const failedBefore = await auditCount(cv, id, 'code.failed');

    const blank = await client.post('/api/sign-in/code', { code: '' });

    expect(blank.status).toBe(400);
    expect(blank.body.fields?.code).toBeTruthy();
    expect(await auditCount(cv, id, 'code.failed')).toBe(failedBefore);
  });

  it('accepts the right code typed with full-width digits', async () => {
    const email = 'wide-digits@breaker.test';
    await cv.addActiveUser({ email, twoFactor: true });
    const { client, code } = await signInForCode(cv, email);
    const wide = [...code]
      .map((digit) => String.fromCharCode(0xff10 + Number(digit)))
      .join('');

    const answer = await client.post('/api/sign-in/code', { code: wide });

    expect(answer.status).toBe(200);
    expect(answer.body.step).toBe('home');
  });
});

describe('an administrator saving roles that did not change', () => {
  it('leaves the user signed in and records no change', async () => {
    const email = 'same-roles@breaker.test';
    const { client, id } = await cv.addActiveUser({ email, roles: ['user'] });
    const admin = await cv.admin();
    const updatesBefore = await auditCount(cv, id, 'user.updated');

    const saved = await admin.patch(`/api/users/${id}`, { roles: ['user', 'user'] });

    expect(saved.status).toBe(200);
    expect(saved.body.roles).toEqual(['user']);
    expect((await client.get('/api/me')).status).toBe(200);
    expect(await auditCount(cv, id, 'user.updated')).toBe(updatesBefore);
  });
});

describe('the setup form once an administrator exists', () => {
  it('says so first, before judging the password', async () => {
    const answer = await cv.client().post('/api/setup', {
      token: 'anything',
      email: 'late@breaker.test',
      firstName: 'Late',
      lastName: 'Comer',
      password: 'short',
    });

    expect(answer.status).toBe(409);
    expect(answer.body.code).toBe('SETUP_DONE');
  });
});

describe('refusals of malformed input', () => {
  it('are worded for people, never in validator jargon', async () => {
    const admin = await cv.admin();
    const { id } = await invite(cv, { email: 'jargon@breaker.test' });
    const answers = [
      await cv.client().post('/api/sign-in', { ...ADMIN, next: 5 }),
      await cv.client().post('/api/sign-in', { ...ADMIN, next: null }),
      await admin.get('/api/users?limit=abc'),
      await admin.get('/api/users?limit=2.5'),
      await admin.get('/api/users?limit='),
      await admin.get(`/api/users?search=${'a'.repeat(201)}`),
      await admin.get('/api/users?search=a&search=b'),
      await admin.patch(`/api/users/${id}`, { twoFactor: 'yes' }),
      await admin.patch(`/api/users/${id}`, { status: 'invited' }),
      await cv.client().post('/api/setup', {
        email: 'x@breaker.test',
        firstName: 'X',
        lastName: 'Y',
        password: 'a fine long passphrase here',
      }),
    ];

    for (const answer of answers) {
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      for (const words of wordsOf(answer)) {
        expect(words).not.toMatch(VALIDATOR_JARGON);
      }
    }
  });

  it('say "too many roles", not "choose at least one", for four roles', async () => {
    const admin = await cv.admin();

    const answer = await admin.post('/api/users', {
      email: 'four-roles@breaker.test',
      roles: ['user', 'user', 'user', 'user'],
      twoFactor: false,
    });

    expect(answer.status).toBe(400);
    expect(answer.body.fields?.roles).not.toBe('Choose at least one role.');
  });

  it('answer a malformed or overlong path in the error catalogue', async () => {
    const badEscape = await cv.client().get('/api/users/%E0%A4%A');
    const longId = await cv.client().get(`/api/users/${'a'.repeat(5000)}`);

    for (const answer of [badEscape, longId]) {
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      expect(typeof answer.body.code).toBe('string');
      expect(answer.body.code).not.toMatch(/^FST_/);
      expect(answer.body.message).not.toContain('aaaaaaaaaa');
    }
  });

  it('answer an oversized cookie in the error catalogue', async () => {
    const answer = await cv
      .client()
      .get('/api/me', { cookie: `callvault_session=${'a'.repeat(20_000)}` });

    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(typeof answer.body?.code).toBe('string');
  });

  it('answer a body over the size limit as too large, not as broken JSON', async () => {
    const answer = await cv.client().post('/api/sign-in', {
      email: 'a'.repeat(70_000),
      password: 'x',
    });

    expect([400, 413]).toContain(answer.status);
    expect(answer.body.message).not.toMatch(/not valid JSON/);
  });
});

describe('start-up configuration', () => {
  // About SQLite's URLs only, and opens no database: once is enough.
  it.runIf(engine === 'sqlite')(
    'refuses a DATABASE_URL without a file, which would keep nothing',
    () => {
      // better-sqlite3 opens "" as a temporary database, deleted on close.
      for (const value of ['sqlite:', 'file:', 'sqlite://']) {
        expect(() => loadConfig({ DATABASE_URL: value })).toThrow(ConfigError);
      }
    },
  );

  it('names HOST when it is not a host name or address', () => {
    for (const value of ['300.1.1.1', 'a b']) {
      expect(() => loadConfig({ HOST: value })).toThrow(ConfigError);
      expect(() => loadConfig({ HOST: value })).toThrow(/HOST/);
    }
  });
});

/** The machine's first address that is not loopback, if it has one. */
function outsideAddress(): string | undefined {
  for (const addresses of Object.values(os.networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family === 'IPv4' && !address.internal) return address.address;
    }
  }
  return undefined;
}

function rawGet(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (response) => {
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => {
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // keep the text
          }
          resolve({ status: response.statusCode ?? 0, body });
        });
      })
      .on('error', reject);
  });
}

describe('the local mailbox, listening on every interface', () => {
  let open: TestInstance;
  beforeAll(async () => {
    // An empty SMTP_URL counts as unset: mail goes to the local mailbox.
    open = await startInstance({ HOST: '0.0.0.0', SMTP_URL: '' });
    const admin = await open.admin();
    await admin.post('/api/users', {
      email: 'mailbox-reader@breaker.test',
      roles: ['user'],
      twoFactor: false,
    });
  });
  afterAll(async () => {
    await open.stop();
  });

  it('refuses a request a reverse proxy on this machine relays from outside', async () => {
    const port = new URL(open.url).port;

    const relayed = await rawGet(`${open.url}/api/mailbox`, {
      host: `127.0.0.1:${port}`,
      'x-forwarded-for': '203.0.113.7',
      'x-forwarded-proto': 'https',
    });

    expect(relayed.status).not.toBe(200);
    expect(relayed.body?.messages).toBeUndefined();
  });

  const outside = outsideAddress();
  it.skipIf(!outside)(
    'tells a browser on another machine that it is local-only, not that it is off',
    async () => {
      const port = new URL(open.url).port;

      const answer = await rawGet(`http://${outside}:${port}/api/mailbox`, {});

      expect(answer.body?.messages).toBeUndefined();
      // The page reads NOT_FOUND as "the mailbox is off because Callvault
      // sends mail through an SMTP server", which is not so here.
      expect(answer.body?.code).not.toBe('NOT_FOUND');
    },
  );
});

describe('in a browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('brings a two-factor user back to the page they asked for after the code', async () => {
    const email = 'deep-link@breaker.test';
    await cv.addActiveUser({ email, roles: ['administrator'], twoFactor: true });
    const page = await (await browser.newContext()).newPage();

    await page.goto(`${cv.url}/settings/users?search=deep`);
    await page.waitForURL(/\/sign-in\?next=/);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/sign-in\/code/);
    const code = await latestCode(cv, email);
    await page.getByLabel('Security code').fill(code);
    await page.getByRole('button', { name: 'Verify' }).click();

    await expect
      .poll(() => {
        const url = new URL(page.url());
        return url.pathname + url.search;
      })
      .toBe('/settings/users?search=deep');
  });

  it('leaves an invitation link usable after a page load with no click', async () => {
    // Mail scanners open links in a headless browser and run the page.
    const email = 'scanned@breaker.test';
    await invite(cv, { email, twoFactor: true });
    const token = await latestInvitation(cv, email);
    const scanner = await (await browser.newContext()).newPage();

    await scanner.goto(`${cv.url}/invitation#${token}`);
    await scanner.waitForLoadState('networkidle');
    await scanner.waitForTimeout(500);

    const person = await cv.client().post('/api/invitations/accept', { token });
    expect(person.status).toBe(200);
  });

  it('names the user on each "Resend invitation" button', async () => {
    const admin = await cv.admin();
    await admin.post('/api/users', {
      email: 'rita.ng@breaker.test',
      firstName: 'Rita',
      lastName: 'Ng',
      roles: ['user'],
      twoFactor: false,
    });
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${cv.url}/sign-in`);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${cv.url}/`);

    await page.goto(`${cv.url}/settings/users`);
    await page.getByLabel('Search users').fill('rita.ng');
    await page.getByRole('link', { name: 'Edit Rita Ng' }).waitFor();

    const named = page.getByRole('button', { name: /Resend invitation.*Rita Ng/ });
    await expect.poll(() => named.count()).toBe(1);
  });
});
