/**
 * Names that look like markup, attacked over HTTP and in Chromium: a name
 * such as `<img src=x onerror=alert(1)>` is stored and returned as typed,
 * and shown as text on the Users page, in the invitation email's HTML, in
 * the log lines and in the Security Log and its CSV export. It never runs.
 */
import { parse } from 'csv-parse/sync';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.ts';
import type { Client } from '../support/client.ts';
import { ADMIN, startInstance, type TestInstance } from '../support/instance.ts';

let cv: TestInstance;
let admin: Client;

beforeAll(async () => {
  cv = await startInstance();
  admin = await cv.admin();
});
afterAll(async () => {
  await cv.stop();
});

/** The user's row as stored, to prove a refused request changed nothing. */
function userRow(id: string) {
  return cv.callvault.db
    .selectFrom('users')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

/** Error messages are for people: no schema jargon from the validator. */
function expectHumanMessage(message: unknown) {
  expect(typeof message).toBe('string');
  expect((message as string).length).toBeGreaterThan(10);
  expect(message).not.toMatch(/invalid input|expected|received|zod|undefined|NaN/i);
}

describe('names are text, never markup', () => {
  const IMG = '<img src=x onerror=alert(1)>';
  const SCRIPT = '"Bob" </p><script>alert(2)</script>';

  it('stores and returns a name exactly as typed', async () => {
    const created = await admin.post('/api/users', {
      email: 'markup@names.test',
      firstName: IMG,
      lastName: SCRIPT,
      roles: ['user'],
      twoFactor: false,
    });

    expect(created.status).toBe(201);
    expect(created.headers.get('content-type')).toMatch(/^application\/json/);
    expect(created.body.firstName).toBe(IMG);
    expect(created.body.lastName).toBe(SCRIPT);

    const shown = await admin.get(`/api/users/${created.body.id}`);
    expect(shown.body.firstName).toBe(IMG);
    expect(shown.body.lastName).toBe(SCRIPT);
    const row = await userRow(created.body.id);
    expect(row.first_name).toBe(IMG);
    expect(row.last_name).toBe(SCRIPT);
  });

  it("escapes the inviter's name in the invitation's HTML", async () => {
    const { client: marked } = await cv.addActiveUser({
      email: 'marked-admin@names.test',
      firstName: IMG,
      lastName: SCRIPT,
      roles: ['administrator'],
    });

    const created = await marked.post('/api/users', {
      email: 'invited-by-markup@names.test',
      roles: ['user'],
      twoFactor: false,
    });
    expect(created.status).toBe(201);
    const mail = await cv.smtp.waitFor('invited-by-markup@names.test');

    expect(mail.html).toContain('&lt;img src=x');
    expect(mail.html).not.toContain('<img src=x');
    expect(mail.html).not.toContain('<script>alert(2)');
    expect(mail.html).toContain('&lt;script&gt;alert(2)');
    // The plain-text part is text already: the name appears as typed.
    expect(mail.text).toContain(IMG);
  });

  it('refuses control characters in a name, which would corrupt logs', async () => {
    const answer = await admin.post('/api/users', {
      email: 'control@names.test',
      firstName: 'Ann\n{"event":"forged"}',
      roles: ['user'],
      twoFactor: false,
    });

    expect(answer.status).toBe(400);
    expectHumanMessage(answer.body.fields?.firstName);
  });
});

describe('a name that looks like markup, wherever it is shown', () => {
  const IMG = '<img src=x onerror=alert(1)>';
  const SCRIPT = '"Bob" </p><script>alert(2)</script>';
  const EMAIL = 'shown@markup.test';

  beforeAll(async () => {
    const created = await admin.post('/api/users', {
      email: EMAIL,
      firstName: IMG,
      lastName: SCRIPT,
      roles: ['user'],
      twoFactor: false,
    });
    expect(created.status).toBe(201);
  });

  describe('on the Users page in Chromium', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
    });

    it('is shown as text, and no image or script from it runs', async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      const dialogs: string[] = [];
      page.on('dialog', async (dialog) => {
        dialogs.push(dialog.message());
        await dialog.dismiss();
      });

      await page.goto(`${cv.url}/sign-in`);
      await page.getByLabel('Email').fill(ADMIN.email);
      await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${cv.url}/`);
      await page.goto(`${cv.url}/settings/users`);
      await page.getByLabel('Search users').fill(EMAIL);
      await page.getByText(EMAIL).first().waitFor();

      const shown = page.getByText(IMG, { exact: false });
      await expect.poll(() => shown.count()).toBeGreaterThan(0);
      expect(await page.getByText('alert(2)', { exact: false }).count()).toBeGreaterThan(0);
      expect(await page.locator('img[src="x"]').count()).toBe(0);
      expect(await page.locator('script:not([src])', { hasText: 'alert(2)' }).count()).toBe(0);
      const html = await page.evaluate(() => document.body.innerHTML);
      expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
      expect(html).not.toContain(IMG);
      expect(dialogs).toEqual([]);
      await context.close();
    });
  });

  it('leaves every log line one well-formed JSON record', () => {
    const lines = cv.logs.flatMap((chunk) => chunk.split('\n')).filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(() => JSON.parse(line), line).not.toThrow();
      // A name, if logged at all, sits whole inside a JSON string.
      if (line.includes('onerror')) expect(line).toContain(JSON.stringify(IMG).slice(1, -1));
    }
  });

  it('is text in the Security Log and in its CSV export', async () => {
    const listed = await admin.get(`/api/audit-events?limit=100&user=${EMAIL}`);
    expect(listed.status).toBe(200);
    const names = listed.body.events.map((event: any) => event.target?.name);
    expect(names).toContain(`${IMG} ${SCRIPT}`);

    const exported = await admin.get(`/api/audit-events.csv?user=${EMAIL}`);
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(exported.headers.get('content-disposition')).toMatch(/^attachment/);
    expect(exported.headers.get('x-content-type-options')).toBe('nosniff');
    const rows = parse(exported.body as string, { bom: true }) as string[][];
    const cells = rows.slice(1).flat();
    expect(cells).toContain(`${IMG} ${SCRIPT}`);
  });
});
