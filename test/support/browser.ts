/**
 * Debian's Chromium driven by playwright-core (never a downloaded browser),
 * an axe check that fails on serious or critical violations, and the
 * sign-in form filled in as a person would.
 */
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Runs axe on the page as it is now; serious or critical issues fail. */
export async function expectAccessible(page: Page, where: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const blocking = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => {
      const where = v.nodes.map((n) => n.target.join(' ')).join(', ');
      return `${v.id} (${v.impact}): ${v.help} — ${where}`;
    });
  expect(blocking, `axe on ${where}`).toEqual([]);
}

/** Whose email and password a browser signs in with. */
export interface Credentials {
  email: string;
  password: string;
}

/**
 * Opens /sign-in of the Callvault at `baseUrl` and signs in. It waits for
 * nothing after: Home, a security code or a refusal may come next, and the
 * test says which it expects.
 */
export async function signIn(
  page: Page,
  baseUrl: string,
  who: Credentials,
): Promise<void> {
  await page.goto(`${baseUrl}/sign-in`);
  await submitSignIn(page, who);
}

/** Fills in and sends the sign-in form the page already shows. */
export async function submitSignIn(
  page: Page,
  who: Credentials,
): Promise<void> {
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password', { exact: true }).fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
