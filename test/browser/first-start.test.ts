/**
 * A newcomer's first start on the embedded defaults: no administrator, no
 * SMTP server. The one-time setup link creates the administrator, and the
 * local mailbox at /mailbox carries the invitation and the security code.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectAccessible,
  launchChromium,
  submitSignIn,
} from '../support/browser.ts';
import { startInstance, type TestInstance } from '../support/instance.ts';

const OWNER = {
  email: 'owner@callvault.test',
  password: 'seven swans on a frozen lake',
};

let cv: TestInstance;
let browser: Browser;

beforeAll(async () => {
  cv = await startInstance({ SMTP_URL: '', ADMIN_EMAIL: '', ADMIN_PASSWORD: '' });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await cv?.stop();
});

/** Opens /mailbox and returns the text of the newest message to `to`. */
async function newestMail(page: Page, to: string, subject: RegExp) {
  await page.goto(`${cv.url}/mailbox`);
  await page.getByRole('heading', { level: 1, name: 'Mailbox' }).waitFor();
  const message = page
    .getByRole('article')
    .filter({ hasText: to })
    .filter({ hasText: subject })
    .first();
  await expect
    .poll(async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      return message.count();
    })
    .toBe(1);
  return message;
}

describe('first start on the embedded defaults', () => {
  it('creates the administrator from the setup link and invites by /mailbox', async () => {
    expect(cv.callvault.setup.kind).toBe('link');
    if (cv.callvault.setup.kind !== 'link') return;

    const owner = await (await browser.newContext()).newPage();
    await owner.goto(cv.callvault.setup.url);
    await owner.getByLabel('Email').fill(OWNER.email);
    await owner.getByLabel('First name').fill('Olga');
    await owner.getByLabel('Last name').fill('Owner');
    await owner.getByLabel('Password', { exact: true }).fill(OWNER.password);
    await expectAccessible(owner, 'setup');
    await owner.getByRole('button', { name: 'Create administrator' }).click();
    await owner.getByRole('link', { name: 'Sign in' }).click();

    await submitSignIn(owner, OWNER);
    await owner.getByRole('heading', { level: 1, name: 'Welcome, Olga' }).waitFor();

    await owner.goto(`${cv.url}/settings/users/new`);
    await owner.getByLabel('Email').fill('kim@callvault.test');
    await owner.getByLabel('First name').fill('Kim');
    await owner.getByLabel('Two Factor Authentication').check();
    await owner.getByRole('button', { name: 'Save' }).click();
    await owner.getByRole('row', { name: /kim@callvault\.test/ }).waitFor();

    const kim = await (await browser.newContext()).newPage();
    const invitation = await newestMail(kim, 'kim@callvault.test', /invited/);
    await expectAccessible(kim, 'mailbox');
    await invitation.getByRole('link', { name: /\/invitation#/ }).click();
    await kim.getByRole('button', { name: 'Continue' }).click();
    await kim.getByLabel('Security code').waitFor();

    const mailbox = await kim.context().newPage();
    const codeMail = await newestMail(mailbox, 'kim@callvault.test', /security code/);
    const code = (await codeMail.textContent())?.match(/code is (\d{6})/)?.[1];
    expect(code).toMatch(/^\d{6}$/);

    await kim.getByLabel('Security code').fill(code!);
    await kim.getByRole('button', { name: 'Verify' }).click();
    await kim.getByLabel('New password').fill('kim keeps the keys close');
    await kim.getByLabel('Confirm password').fill('kim keeps the keys close');
    await kim.getByRole('button', { name: 'Save password' }).click();
    await kim.getByRole('heading', { level: 1, name: 'Welcome, Kim' }).waitFor();
  });
});
