/**
 * The whole journey in Chromium: an administrator adds a user with
 * two-factor, the invitation and the security code are read from a real
 * SMTP listener, the user chooses a password and lands on Home. axe checks
 * every page on the way.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectAccessible,
  launchChromium,
  signIn,
} from '../support/browser.ts';
import { ADMIN, startInstance, type TestInstance } from '../support/instance.ts';
import { codeIn, linkIn } from '../support/smtp.ts';

let cv: TestInstance;
let browser: Browser;

beforeAll(async () => {
  cv = await startInstance();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await cv?.stop();
});

describe('the sign-in journey in a browser', () => {
  it('takes a new two-factor user from invitation to Home', async () => {
    const admin = await (await browser.newContext()).newPage();

    await admin.goto(cv.url);
    await expect.poll(() => new URL(admin.url()).pathname).toBe('/sign-in');
    await expectAccessible(admin, 'sign-in');
    await signIn(admin, cv.url, ADMIN);
    await admin.getByRole('heading', { level: 1, name: /Welcome/ }).waitFor();
    await expectAccessible(admin, 'home');

    const menu = admin.getByRole('navigation', { name: 'Application' });
    await menu.getByRole('link', { name: 'Settings' }).click();
    await admin.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
    await expectAccessible(admin, 'users');

    await admin.getByRole('link', { name: 'Add New User' }).click();
    await admin.getByRole('heading', { level: 1, name: 'Add New User' }).waitFor();
    await expectAccessible(admin, 'add user');
    await admin.getByLabel('Email').fill('not an address');
    await admin.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => admin.getByLabel('Email').getAttribute('aria-invalid'))
      .toBe('true');
    await expectAccessible(admin, 'add user with an error');

    await admin.getByLabel('Email').fill('ann.lee@callvault.test');
    await admin.getByLabel('First name').fill('Ann');
    await admin.getByLabel('Last name').fill('Lee');
    await admin.getByLabel('Two Factor Authentication').check();
    await admin.getByRole('button', { name: 'Save' }).click();
    const row = admin.getByRole('row', { name: /ann\.lee@callvault\.test/ });
    await row.waitFor();
    await expect.poll(() => row.textContent()).toContain('Invited');

    const invitation = await cv.smtp.waitFor('ann.lee@callvault.test');
    expect(invitation.html).toContain('/invitation#');
    const user = await (await browser.newContext()).newPage();
    await user.goto(linkIn(invitation));
    await user.getByRole('heading', { level: 1, name: 'Welcome to Callvault' }).waitFor();
    await expectAccessible(user, 'invitation');
    await user.getByRole('button', { name: 'Continue' }).click();

    await user.getByLabel('Security code').waitFor();
    await expectAccessible(user, 'security code');
    const code = codeIn(await cv.smtp.waitFor('ann.lee@callvault.test', 2));
    await user.getByLabel('Security code').fill(code);
    await user.getByRole('button', { name: 'Verify' }).click();

    await user.getByLabel('New password').waitFor();
    await expectAccessible(user, 'personalise password');
    await user.getByLabel('New password').fill('password123456');
    await user.getByLabel('Confirm password').fill('password123456');
    await user.getByRole('button', { name: 'Save password' }).click();
    await user.getByText(/most common passwords/).waitFor();

    const chosen = 'a lantern over the quiet harbour';
    await user.getByLabel('New password').fill(chosen);
    await user.getByLabel('Confirm password').fill(chosen);
    await user.getByRole('button', { name: 'Save password' }).click();
    await user.getByRole('heading', { level: 1, name: 'Welcome, Ann' }).waitFor();
    await expect.poll(() => user.textContent('main')).toContain('User');
    await expectAccessible(user, 'home of the new user');

    // A plain user has no Settings, and the server refuses the page's API.
    const userMenu = user.getByRole('navigation', { name: 'Application' });
    expect(await userMenu.getByRole('link', { name: 'Settings' }).count()).toBe(0);

    await admin.reload();
    await expect.poll(() => row.textContent()).toContain('Active');
  });
});
