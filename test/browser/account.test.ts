/**
 * My account in Chromium: a user changes their password and signs in with
 * the new one, and signs out a session of a second browser from the
 * session list. axe checks the page in each state.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectAccessible,
  launchChromium,
  signIn,
} from '../support/browser.ts';
import { startInstance, type TestInstance } from '../support/instance.ts';
import { latestMail } from '../support/journey.ts';

const PETRA = {
  email: 'petra.quill@callvault.test',
  password: 'lanterns over the quiet harbour',
};
const NEW_PASSWORD = 'seven otters paddle past the mill';
const FIREFOX_ON_WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 ' +
  'Firefox/128.0';

let cv: TestInstance;
let browser: Browser;

beforeAll(async () => {
  cv = await startInstance();
  browser = await launchChromium();
  await cv.addActiveUser({
    email: PETRA.email,
    password: PETRA.password,
    firstName: 'Petra',
    lastName: 'Quill',
  });
});
afterAll(async () => {
  await browser?.close();
  await cv?.stop();
});

/** Signs Petra in and waits for her Home. */
async function signInAsPetra(page: Page, password = PETRA.password) {
  await signIn(page, cv.url, { email: PETRA.email, password });
  await page.getByRole('heading', { level: 1, name: 'Welcome, Petra' }).waitFor();
}

async function openMyAccount(page: Page) {
  const menu = page.getByRole('navigation', { name: 'Application' });
  await menu.getByRole('link', { name: 'My account' }).click();
  await page.getByRole('heading', { level: 1, name: 'My account' }).waitFor();
}

describe('My account in a browser', () => {
  it('lists the sessions and signs another browser out', async () => {
    const page = await (await browser.newContext()).newPage();
    const other = await (
      await browser.newContext({ userAgent: FIREFOX_ON_WINDOWS })
    ).newPage();
    await signInAsPetra(page);
    await signInAsPetra(other);

    await openMyAccount(page);
    const sessions = page.getByRole('table', { name: 'Sessions' });
    await sessions.getByRole('row', { name: /This device/ }).waitFor();
    await expectAccessible(page, 'my account');

    const signOut = sessions.getByRole('button', {
      name: /^Sign out Firefox 128 on Windows 10, started /,
    });
    await signOut.click();
    await page.getByRole('status').getByText(/Signed out Firefox 128/).waitFor();
    await expect.poll(() => signOut.count()).toBe(0);
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.textContent))
      .toBe('Sessions');
    await expectAccessible(page, 'my account after signing out a session');

    await other.reload();
    await expect.poll(() => new URL(other.url()).pathname).toBe('/sign-in');
  });

  it('signs out everywhere else with one button', async () => {
    const page = await (await browser.newContext()).newPage();
    const other = await (await browser.newContext()).newPage();
    await signInAsPetra(other);
    await signInAsPetra(page);
    await openMyAccount(page);

    await page.getByRole('button', { name: 'Sign out everywhere else' }).click();
    await page.getByRole('status').getByText(/Signed out \d+ other session/).waitFor();
    await page.getByText('You are signed in on this device only.').waitFor();

    await other.reload();
    await expect.poll(() => new URL(other.url()).pathname).toBe('/sign-in');
  });

  it('changes the password, which then signs in', async () => {
    const page = await (await browser.newContext()).newPage();
    await signInAsPetra(page);
    await openMyAccount(page);

    // A wrong current password is said next to its field, which gets focus.
    await page.getByLabel('Current password').fill('not my password at all');
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Confirm new password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    const current = page.getByLabel('Current password');
    await expect.poll(() => current.getAttribute('aria-invalid')).toBe('true');
    await expect
      .poll(() => current.evaluate((input) => input === document.activeElement))
      .toBe(true);
    await page.getByText('This is not your current password.').waitFor();
    await expectAccessible(page, 'change password with an error');

    await current.fill(PETRA.password);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page
      .getByRole('status')
      .getByText(/Your password was changed/)
      .waitFor();
    expect(await current.inputValue()).toBe('');
    const mail = await latestMail(cv, PETRA.email);
    expect(mail.subject).toBe('Your Callvault password was changed');

    await page.getByRole('button', { name: 'Sign out' }).first().click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/sign-in');
    await signInAsPetra(page, NEW_PASSWORD);
  });
});
