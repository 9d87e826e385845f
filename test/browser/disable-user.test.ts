/**
 * Disabling a user in Chromium: their open session ends at once, their
 * sign-in is refused with the answer of a wrong password, and enabling
 * them lets them back in.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible, launchChromium } from '../support/browser.ts';
import { ADMIN, startInstance, type TestInstance } from '../support/instance.ts';

const DORA = { email: 'dora.dent@callvault.test', password: 'paper boats on a pond' };

let cv: TestInstance;
let browser: Browser;

beforeAll(async () => {
  cv = await startInstance();
  browser = await launchChromium();
  await cv.addActiveUser({
    email: DORA.email,
    password: DORA.password,
    firstName: 'Dora',
    lastName: 'Dent',
  });
});
afterAll(async () => {
  await browser?.close();
  await cv?.stop();
});

async function signIn(page: Page, email: string, password: string) {
  await page.goto(`${cv.url}/sign-in`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Signs Dora in with `password`; the sign-in API's status and body. */
async function answerTo(page: Page, password: string) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/api/sign-in'),
    signIn(page, DORA.email, password),
  ]);
  return { status: response.status(), body: await response.json() };
}

/** Opens Dora's form and saves the status given. */
async function setStatus(admin: Page, status: 'Active' | 'Disabled') {
  await admin.goto(`${cv.url}/settings/users`);
  await admin.getByRole('link', { name: 'Edit Dora Dent' }).click();
  await admin.getByRole('radio', { name: status }).check();
  await admin.getByText(/sign Dora Dent out/).waitFor();
  await expectAccessible(admin, `edit user, status ${status}`);
  await admin.getByRole('button', { name: 'Save' }).click();
  await admin.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
}

describe('disabling a user', () => {
  it('ends their session, refuses them like a wrong password, and undoes', async () => {
    const admin = await (await browser.newContext()).newPage();
    await signIn(admin, ADMIN.email, ADMIN.password);
    await admin.getByRole('heading', { level: 1, name: /Welcome/ }).waitFor();

    const dora = await (await browser.newContext()).newPage();
    await signIn(dora, DORA.email, DORA.password);
    await dora.getByRole('heading', { level: 1, name: 'Welcome, Dora' }).waitFor();

    await setStatus(admin, 'Disabled');
    const row = admin.getByRole('row', { name: /dora\.dent@/ });
    await expect.poll(() => row.textContent()).toContain('Disabled');

    await dora.reload();
    await expect.poll(() => new URL(dora.url()).pathname).toBe('/sign-in');

    // The right password gets the answer and the words of a wrong one.
    const right = await answerTo(dora, DORA.password);
    const shown = dora.getByRole('alert');
    await expect.poll(() => shown.textContent()).toMatch(/do not match/);
    const words = await shown.textContent();
    const wrong = await answerTo(dora, 'not her password at all');
    expect(wrong).toEqual(right);
    expect(await shown.textContent()).toBe(words);

    await setStatus(admin, 'Active');
    await signIn(dora, DORA.email, DORA.password);
    await dora.getByRole('heading', { level: 1, name: 'Welcome, Dora' }).waitFor();
  });
});
