/**
 * An administrator ticks, then unticks, "Two Factor Authentication" on an
 * existing user in Chromium; the user signs in after each change.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectAccessible,
  launchChromium,
  signIn,
} from '../support/browser.ts';
import { ADMIN, startInstance, type TestInstance } from '../support/instance.ts';
import { codeIn } from '../support/smtp.ts';

const BOB = { email: 'bob.stone@callvault.test', password: 'tides turn twice at noon' };

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
    twoFactor: false,
  });
});
afterAll(async () => {
  await browser?.close();
  await cv?.stop();
});

/** Opens Bob's form from the Users list and sets the checkbox. */
async function setTwoFactor(admin: Page, on: boolean) {
  await admin.goto(`${cv.url}/settings/users`);
  await admin.getByRole('link', { name: 'Edit Bob Stone' }).click();
  await admin.getByRole('heading', { level: 1, name: /Bob Stone/ }).waitFor();

  const box = admin.getByLabel('Two Factor Authentication');
  await box.setChecked(on);
  // The form warns before saving that Bob will be signed out.
  await admin.getByText(/sign Bob Stone out/).waitFor();
  await expectAccessible(admin, 'edit user');
  await admin.getByRole('button', { name: 'Save' }).click();
  await admin.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
}

describe('turning two-factor on and off for an existing user', () => {
  it('asks for a code only while the box is ticked', async () => {
    const admin = await (await browser.newContext()).newPage();
    await signIn(admin, cv.url, ADMIN);
    await admin.getByRole('heading', { level: 1, name: /Welcome/ }).waitFor();

    const bob = await (await browser.newContext()).newPage();
    await signIn(bob, cv.url, BOB);
    await bob.getByRole('heading', { level: 1, name: 'Welcome, Bob' }).waitFor();

    const mailsBefore = cv.smtp.to(BOB.email).length;
    await setTwoFactor(admin, true);
    const row = admin.getByRole('row', { name: /bob\.stone@/ });
    await expect.poll(() => row.textContent()).toContain('On');

    // The change ended Bob's session: his next page asks him to sign in.
    await bob.reload();
    await expect.poll(() => new URL(bob.url()).pathname).toBe('/sign-in');

    // Ticking the box sent Bob only the notice that it changed (ASVS
    // 2.5.5), no code: the code comes with his next sign-in.
    const notice = await cv.smtp.waitFor(BOB.email, mailsBefore + 1);
    expect(notice.subject).toMatch(/two-factor sign-in was turned on/i);

    await signIn(bob, cv.url, BOB);
    await bob.getByLabel('Security code').waitFor();
    const mail = await cv.smtp.waitFor(BOB.email, mailsBefore + 2);
    expect(mail.subject).toMatch(/security code/i);
    await bob.getByLabel('Security code').fill(codeIn(mail));
    await bob.getByRole('button', { name: 'Verify' }).click();
    await bob.getByRole('heading', { level: 1, name: 'Welcome, Bob' }).waitFor();
    expect(cv.smtp.to(BOB.email).length).toBe(mailsBefore + 2);

    await setTwoFactor(admin, false);
    await expect.poll(() => row.textContent()).toContain('Off');
    const offNotice = await cv.smtp.waitFor(BOB.email, mailsBefore + 3);
    expect(offNotice.subject).toMatch(/two-factor sign-in was turned off/i);

    // Unticked: no code step, and no code sent.
    await signIn(bob, cv.url, BOB);
    await bob.getByRole('heading', { level: 1, name: 'Welcome, Bob' }).waitFor();
    expect(cv.smtp.to(BOB.email).length).toBe(mailsBefore + 3);
  });
});
