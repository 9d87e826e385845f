/**
 * Settings > Security in Chromium: an administrator chooses Email MFA,
 * sees who it affects before saving, saves, and a user whose own box is
 * off is then asked for a security code. axe checks each state.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectAccessible,
  launchChromium,
  signIn,
} from '../support/browser.ts';
import { ADMIN, startInstance, type TestInstance } from '../support/instance.ts';
import { codeIn } from '../support/smtp.ts';

const IVY = { email: 'ivy.reed@callvault.test', password: 'quiet rivers run deep' };
const NIA = 'nia.new@callvault.test';

let cv: TestInstance;
let browser: Browser;

beforeAll(async () => {
  cv = await startInstance();
  browser = await launchChromium();
  await cv.addActiveUser({
    email: IVY.email,
    password: IVY.password,
    firstName: 'Ivy',
    lastName: 'Reed',
    twoFactor: false,
  });
  const admin = await cv.admin();
  await admin.post('/api/users', {
    email: NIA,
    firstName: 'Nia',
    lastName: 'New',
    roles: ['user'],
    twoFactor: false,
  });
});
afterAll(async () => {
  await browser?.close();
  await cv?.stop();
});

describe('switching the company to Email MFA', () => {
  it('shows who it affects, saves, and asks everyone for a code', async () => {
    const admin = await (await browser.newContext()).newPage();
    await signIn(admin, cv.url, ADMIN);
    await admin.getByRole('heading', { level: 1, name: /Welcome/ }).waitFor();

    const menu = admin.getByRole('navigation', { name: 'Application' });
    await menu.getByRole('link', { name: 'Settings' }).click();
    await menu.getByRole('link', { name: 'Security', exact: true }).click();
    await admin.getByRole('heading', { level: 1, name: 'Security' }).waitFor();
    const mode = admin.getByRole('group', { name: 'Two Factor Authentication' });
    expect(await mode.getByLabel('No MFA').isChecked()).toBe(true);
    expect(await mode.getByLabel('App MFA').isDisabled()).toBe(true);
    await expect
      .poll(() => admin.getByText(/default: 30 minutes/).count())
      .toBe(1);
    await expectAccessible(admin, 'Settings > Security');

    // Choosing Email MFA shows its reach before anything is saved.
    await mode.getByLabel('Email MFA').check();
    await admin.getByRole('heading', { name: 'Who Email MFA affects' }).waitFor();
    await admin
      .getByText(
        '3 users will be asked for a security code at their next sign-in.',
        { exact: false },
      )
      .waitFor();
    const unconfirmed = admin.getByRole('list', {
      name: 'Users without a confirmed email address',
    });
    expect(await unconfirmed.getByRole('listitem').allTextContents()).toEqual([
      `Nia New (${NIA})`,
    ]);
    await expectAccessible(admin, 'Settings > Security, Email MFA chosen');
    const saved = await admin.request.get(`${cv.url}/api/settings/security`);
    expect((await saved.json()).twoFactor).toBe('none');

    await admin.getByLabel('Be idle for').fill('45');
    await admin.getByRole('button', { name: 'Save' }).click();
    await admin.getByText('Security settings saved').waitFor();
    const impactHeading = admin.getByRole('heading', {
      name: 'Who Email MFA affects',
    });
    await expect.poll(() => impactHeading.count()).toBe(0);

    // Ivy's own box is off; the company policy now asks her for a code.
    const ivy = await (await browser.newContext()).newPage();
    const before = cv.smtp.to(IVY.email).length;
    await signIn(ivy, cv.url, IVY);
    await ivy.getByLabel('Security code').waitFor();
    const mail = await cv.smtp.waitFor(IVY.email, before + 1);
    await ivy.getByLabel('Security code').fill(codeIn(mail));
    await ivy.getByRole('button', { name: 'Verify' }).click();
    await ivy.getByRole('heading', { level: 1, name: 'Welcome, Ivy' }).waitFor();

    // Her form shows the box as forced by the policy, her choice kept.
    await menu.getByRole('link', { name: 'Users' }).click();
    await admin.getByRole('link', { name: 'Edit Ivy Reed' }).click();
    await admin.getByRole('heading', { level: 1, name: 'Edit Ivy Reed' }).waitFor();
    const box = admin.getByLabel('Two Factor Authentication');
    await expect.poll(() => box.isDisabled()).toBe(true);
    expect(await box.isChecked()).toBe(true);
    await admin
      .getByText(
        'Required for everyone by the company policy (Settings > Security).',
      )
      .waitFor();
    await expectAccessible(admin, 'edit user under Email MFA');

    const ivyRow = await admin.request.get(`${cv.url}/api/users?search=ivy`);
    expect((await ivyRow.json()).users[0].twoFactor).toBe(false);
  });
});
