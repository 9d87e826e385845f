/**
 * A forgotten password in Chromium: "Forgot your password?" on sign-in,
 * the email from a real SMTP listener, the reset page, and a sign-in with
 * the new password; then an administrator's "Send password reset". axe
 * checks every page on the way.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectAccessible,
  launchChromium,
  signIn,
  submitSignIn,
} from '../support/browser.ts';
import { ADMIN, startInstance, type TestInstance } from '../support/instance.ts';
import type { ReceivedMail } from '../support/smtp.ts';

const ROSA = { email: 'rosa.diaz@callvault.test', password: 'tides turn twice at noon' };
const RESET_SUBJECT = 'Reset your Callvault password';

let cv: TestInstance;
let browser: Browser;
let rosaId: string;

beforeAll(async () => {
  cv = await startInstance();
  browser = await launchChromium();
  ({ id: rosaId } = await cv.addActiveUser({
    email: ROSA.email,
    password: ROSA.password,
    firstName: 'Rosa',
    lastName: 'Diaz',
  }));
});
afterAll(async () => {
  await browser?.close();
  await cv?.stop();
});

/** The `count`-th reset email to Rosa (1-based), once it has arrived. */
async function resetMail(count: number): Promise<ReceivedMail> {
  await expect
    .poll(() => cv.smtp.to(ROSA.email).filter((m) => m.subject === RESET_SUBJECT).length, {
      timeout: 10_000,
    })
    .toBeGreaterThanOrEqual(count);
  return cv.smtp.to(ROSA.email).filter((m) => m.subject === RESET_SUBJECT)[count - 1]!;
}

function linkIn(mail: ReceivedMail): string {
  const match = mail.text.match(/https?:\/\/\S+\/reset-password#\S+/);
  if (!match) throw new Error(`no reset link in: ${mail.text}`);
  return match[0];
}

describe('a forgotten password in a browser', () => {
  it('takes a user from "Forgot your password?" to Home', async () => {
    const page = await (await browser.newContext()).newPage();

    await page.goto(`${cv.url}/sign-in`);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByRole('heading', { level: 1, name: 'Reset your password' }).waitFor();
    await expectAccessible(page, 'forgot password');

    await page.getByLabel('Email').fill('not an address');
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await expect
      .poll(() => page.getByLabel('Email').getAttribute('aria-invalid'))
      .toBe('true');
    await expectAccessible(page, 'forgot password with an error');

    await page.getByLabel('Email').fill(ROSA.email);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page.getByRole('status').getByText(/If an account uses that address/).waitFor();
    await expectAccessible(page, 'forgot password, sent');

    const mail = await resetMail(1);
    expect(mail.html).toContain('/reset-password#');
    await page.goto(linkIn(mail));
    await page.getByRole('heading', { level: 1, name: 'Choose a new password' }).waitFor();
    // The token leaves the address bar at once.
    await expect.poll(() => new URL(page.url()).hash).toBe('');
    await expectAccessible(page, 'reset password');

    await page.getByLabel('New password').fill('password123456');
    await page.getByLabel('Confirm password').fill('password123456');
    await page.getByRole('button', { name: 'Save new password' }).click();
    await page.getByText(/most common passwords/).waitFor();
    await expectAccessible(page, 'reset password with an error');

    const chosen = 'a lantern over the quiet harbour';
    await page.getByLabel('New password').fill(chosen);
    await page.getByLabel('Confirm password').fill(chosen);
    await page.getByRole('button', { name: 'Save new password' }).click();
    await page
      .getByRole('heading', { level: 1, name: 'Your password is changed' })
      .waitFor();
    await expectAccessible(page, 'reset password, done');

    // Finishing signed nobody in: "Sign in" leads to the sign-in form.
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in to Callvault' }).waitFor();
    await submitSignIn(page, { email: ROSA.email, password: chosen });
    await page.getByRole('heading', { level: 1, name: 'Welcome, Rosa' }).waitFor();
  });

  it('says a used link is dead and offers a new one', async () => {
    const page = await (await browser.newContext()).newPage();

    await page.goto(linkIn(await resetMail(1)));
    const chosen = 'another lantern over the harbour';
    await page.getByLabel('New password').fill(chosen);
    await page.getByLabel('Confirm password').fill(chosen);
    await page.getByRole('button', { name: 'Save new password' }).click();

    await page.getByRole('alert').getByText(/already been used/).waitFor();
    await page.getByRole('link', { name: 'Ask for a new link' }).waitFor();
    await expectAccessible(page, 'reset password, dead link');
  });

  it('lets an administrator send a reset from the edit page', async () => {
    const admin = await (await browser.newContext()).newPage();
    await signIn(admin, cv.url, ADMIN);
    await admin.getByRole('heading', { level: 1, name: /Welcome/ }).waitFor();

    await admin.goto(`${cv.url}/settings/users/${rosaId}`);
    await admin.getByRole('heading', { level: 1, name: 'Edit Rosa Diaz' }).waitFor();
    await admin.getByRole('button', { name: 'Send password reset' }).click();
    await admin.getByText(`Password reset email sent to ${ROSA.email}.`).waitFor();
    await expectAccessible(admin, 'edit user, reset sent');

    const mail = await resetMail(2);
    expect(new URL(linkIn(mail)).origin).toBe(new URL(cv.url).origin);
  });
});
