/**
 * Takes a screenshot of every journey page, from a throwaway instance with
 * a few users: `npx tsx scripts/screenshots.ts [dir]`. The README shows
 * users-page.png, copied to docs/.
 */
import path from 'node:path';
import { launchChromium } from '../test/support/browser.ts';
import { ADMIN, startInstance } from '../test/support/instance.ts';
import { codeIn, linkIn } from '../test/support/smtp.ts';

const out = process.argv[2] ?? '/tmp/callvault-screenshots';
const cv = await startInstance();
const browser = await launchChromium();

try {
  await cv.addActiveUser({
    email: 'maria.garcia@example.com', firstName: 'Maria', lastName: 'Garcia',
    roles: ['supervisor', 'user'], twoFactor: true,
  });
  await cv.addActiveUser({
    email: 'tom.baker@example.com', firstName: 'Tom', lastName: 'Baker',
  });
  const admin = await cv.admin();
  const me = await admin.get('/api/me');
  await admin.patch(`/api/users/${me.body.id}`, {
    firstName: 'Ada', lastName: 'Admin',
  });
  await admin.post('/api/users', {
    email: 'li.wei@example.com', firstName: 'Li', lastName: 'Wei',
    roles: ['user'], twoFactor: true,
  });

  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  const shot = (name: string) =>
    page.screenshot({ path: path.join(out, `${name}.png`) });

  await page.goto(`${cv.url}/sign-in`);
  await shot('sign-in');
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: /Welcome/ }).waitFor();
  await shot('home');
  await page.goto(`${cv.url}/settings/users`);
  await page.getByRole('row', { name: /li\.wei/ }).waitFor();
  await shot('users-page');
  await page.getByRole('link', { name: 'Edit Maria Garcia' }).click();
  await page.getByLabel('Two Factor Authentication').uncheck();
  await shot('edit-user');

  const user = await (await browser.newContext()).newPage();
  const invitation = await cv.smtp.waitFor('li.wei@example.com');
  await user.goto(linkIn(invitation));
  await user.getByRole('button', { name: 'Continue' }).waitFor();
  await user.screenshot({ path: path.join(out, 'invitation.png') });
  await user.getByRole('button', { name: 'Continue' }).click();
  await user.getByLabel('Security code').waitFor();
  await user.screenshot({ path: path.join(out, 'security-code.png') });
  const code = codeIn(await cv.smtp.waitFor('li.wei@example.com', 2));
  await user.getByLabel('Security code').fill(code);
  await user.getByRole('button', { name: 'Verify' }).click();
  await user.getByLabel('New password').waitFor();
  await user.getByLabel('New password').fill('li wei password');
  await user.screenshot({ path: path.join(out, 'personalise.png') });
} finally {
  await browser.close();
  await cv.stop();
}
