/**
 * Settings > Security Log and the account actions in Chromium: filter the
 * trail by event kind, sign a user out everywhere, delete a user through
 * the confirmation dialog, and see an expired invitation from both sides.
 * axe checks each page and the dialog.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectAccessible,
  launchChromium,
  signIn,
  type Credentials,
} from '../support/browser.ts';
import { ADMIN, startInstance, type TestInstance } from '../support/instance.ts';
import { invite } from '../support/journey.ts';

const BOB = { email: 'bob.stone@log.test', password: 'tides turn twice at noon' };

let cv: TestInstance;
let browser: Browser;

beforeAll(async () => {
  cv = await startInstance();
  browser = await launchChromium();
  await cv.addActiveUser({
    email: BOB.email,
    password: BOB.password,
    firstName: 'Bob',
    lastName: 'Stone',
  });
  await cv.addActiveUser({ email: 'dee.leet@log.test', firstName: 'Dee', lastName: 'Leet' });
  await cv.client().post('/api/sign-in', { email: BOB.email, password: 'not his one' });
});
afterAll(async () => {
  await browser?.close();
  await cv?.stop();
});

/** Signs in and waits for Home. */
async function signInHome(page: Page, who: Credentials) {
  await signIn(page, cv.url, who);
  await page.getByRole('heading', { level: 1, name: /Welcome/ }).waitFor();
}

async function adminPage(): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signInHome(page, ADMIN);
  return page;
}

async function openUser(admin: Page, name: string) {
  await admin.goto(`${cv.url}/settings/users`);
  await admin.getByRole('link', { name: `Edit ${name}` }).click();
  await admin.getByRole('heading', { level: 1, name: `Edit ${name}` }).waitFor();
}

describe('the Security Log', () => {
  it('shows the trail, filtered by event kind, with an export of that view', async () => {
    const admin = await adminPage();
    const menu = admin.getByRole('navigation', { name: 'Application' });
    await menu.getByRole('link', { name: 'Settings' }).click();
    await menu.getByRole('link', { name: 'Security Log' }).click();
    await admin.getByRole('heading', { level: 1, name: 'Security Log' }).waitFor();
    await expect.poll(() => admin.getByRole('row').count()).toBeGreaterThan(5);
    await expectAccessible(admin, 'security log');

    await admin.getByLabel('Event').selectOption({ label: 'Sign-in failed' });
    await admin.getByRole('button', { name: 'Show events' }).click();

    await expect.poll(() => new URL(admin.url()).search).toBe('?event=sign_in.failed');
    const rows = admin.getByRole('table', { name: 'Security Log' }).locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(1);
    const row = rows.first();
    expect(await row.textContent()).toContain('Sign-in failed');
    expect(await row.textContent()).toContain('Wrong password');
    expect(await row.textContent()).toContain('bob.stone@log.test');
    expect(await row.textContent()).toContain('UTC');
    const exportLink = admin.getByRole('link', { name: 'Export CSV' });
    expect(await exportLink.getAttribute('href')).toBe(
      '/api/audit-events.csv?event=sign_in.failed',
    );
    await expectAccessible(admin, 'security log, filtered');

    await admin.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => rows.count()).toBeGreaterThan(5);
  });
});

describe('account actions on the edit page', () => {
  it('signs a user out everywhere', async () => {
    const bob = await (await browser.newContext()).newPage();
    await signInHome(bob, BOB);
    const admin = await adminPage();
    await openUser(admin, 'Bob Stone');

    await admin.getByRole('button', { name: 'Sign out everywhere' }).click();

    // Bob's browser, and the session the test set-up signed him in with.
    await admin.getByText('Signed Bob Stone out everywhere: 2 sessions ended.').waitFor();
    await expectAccessible(admin, 'edit user, signed out everywhere');
    await bob.reload();
    await expect
      .poll(() => new URL(bob.url()).pathname, { timeout: 10_000 })
      .toBe('/sign-in');
  });

  it('deletes a user after the confirmation, and Cancel deletes nobody', async () => {
    const admin = await adminPage();
    await openUser(admin, 'Dee Leet');

    await admin.getByRole('button', { name: 'Delete user' }).click();
    const dialog = admin.getByRole('dialog', { name: 'Delete Dee Leet?' });
    await dialog.waitFor();
    await expectAccessible(admin, 'delete dialog');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });

    await admin.getByRole('button', { name: 'Delete user' }).click();
    await dialog.getByRole('button', { name: 'Delete Dee Leet' }).click();

    await admin.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
    await admin.getByRole('status').getByText('Deleted Dee Leet').waitFor();
    await expect
      .poll(() => admin.getByRole('row', { name: /dee\.leet@/ }).count())
      .toBe(0);
  });

  it('offers no delete button on the administrator’s own page', async () => {
    const admin = await adminPage();
    const me = await (await cv.admin()).get('/api/me');
    await admin.goto(`${cv.url}/settings/users/${me.body.id}`);
    await admin.getByRole('heading', { level: 1, name: /^Edit / }).waitFor();

    await admin.getByText('You cannot delete your own account').waitFor();
    expect(await admin.getByRole('button', { name: 'Delete user' }).count()).toBe(0);
  });
});

describe('an expired invitation', () => {
  it('reads Expired in the list, and the link tells the person what to do', async () => {
    const { token } = await invite(cv, { email: 'late.comer@log.test' });
    cv.advance(72 * 3_600_000 + 1_000);

    const admin = await adminPage();
    await admin.goto(`${cv.url}/settings/users`);
    const row = admin.getByRole('row', { name: /late\.comer@/ });
    await expect.poll(() => row.textContent()).toContain('Expired');
    await row.getByRole('button', { name: /Resend invitation/ }).waitFor();

    const person = await (await browser.newContext()).newPage();
    await person.goto(`${cv.url}/invitation#${token}`);
    await person.getByRole('button', { name: 'Continue' }).click();
    await person
      .getByRole('heading', { level: 1, name: 'Your invitation has expired' })
      .waitFor();
    await person.getByText(/Resend invitation/).waitFor();
    expect(await person.getByRole('alert').textContent()).toMatch(/administrator/);
    await expectAccessible(person, 'expired invitation');
  });
});
