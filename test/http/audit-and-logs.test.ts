/**
 * The audit trail and the logs. Every security event is recorded with who,
 * to whom, what, when (UTC) and from where; and no password, code or token
 * used along the way is found in the audit table or in any log line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../support/client.ts';
import { ADMIN, startInstance, type TestInstance } from '../support/instance.ts';
import { codeIn, linkIn } from '../support/smtp.ts';

const USER = {
  email: 'audited@audit.test',
  password: 'my own quite private passphrase',
};
const UTC_ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

let cv: TestInstance;
let admin: Client;
let userId: string;
let adminId: string;

/** Every password, code and token the test used, to look for later. */
const secrets = new Set<string>();
/** Codes are 6 digits: looked for as a whole number, not inside another. */
const codes = new Set<string>();

beforeAll(async () => {
  cv = await startInstance();
  adminId = (
    await cv.callvault.db
      .selectFrom('users')
      .select('id')
      .where('email_normalized', '=', ADMIN.email)
      .executeTakeFirstOrThrow()
  ).id;
});
afterAll(async () => {
  await cv.stop();
});

async function lastAuditId(): Promise<number> {
  const row = await cv.callvault.db
    .selectFrom('audit_events')
    .select((eb) => eb.fn.max('id').as('id'))
    .executeTakeFirst();
  return Number(row?.id ?? 0);
}

/** Runs `action` and returns the audit events it recorded. */
async function audited(action: () => Promise<unknown>) {
  const before = await lastAuditId();
  await action();
  return cv.callvault.db
    .selectFrom('audit_events')
    .selectAll()
    .where('id', '>', before)
    .orderBy('id')
    .execute();
}

type AuditRow = Awaited<ReturnType<typeof audited>>[number];

/** The one event named `event` among `rows`, checked for when and where. */
function theEvent(rows: AuditRow[], event: string): AuditRow {
  const found = rows.filter((row) => row.event === event);
  expect(found, `${event} in ${rows.map((r) => r.event).join(', ')}`).toHaveLength(1);
  const row = found[0]!;

  expect(row.at).toMatch(UTC_ISO);
  const drift = Math.abs(new Date(row.at).getTime() - cv.callvault.ctx.clock().getTime());
  expect(drift).toBeLessThan(10_000);
  expect(row.ip).toBe('127.0.0.1');
  return row;
}

async function keepCookies(client: Client) {
  for (const name of ['callvault_session', 'callvault_pending']) {
    const value = await client.cookie(name);
    if (value) secrets.add(value);
  }
}

describe('the audit trail', () => {
  it('records a successful sign-in', async () => {
    secrets.add(ADMIN.password);

    const rows = await audited(async () => {
      admin = await cv.admin();
    });
    await keepCookies(admin);

    const row = theEvent(rows, 'sign_in.succeeded');
    expect(row.actor_user_id).toBe(adminId);
    expect(row.actor_email).toBe(ADMIN.email);
    expect(row.target_user_id).toBe(adminId);
  });

  it('records a sign-in with an unknown email, and the address tried', async () => {
    const password = 'guessing at a stranger account';
    secrets.add(password);

    const rows = await audited(() =>
      cv.client().post('/api/sign-in', { email: 'nobody@audit.test', password }),
    );

    const row = theEvent(rows, 'sign_in.failed');
    expect(row.actor_user_id).toBeNull();
    expect(row.target_user_id).toBeNull();
    expect(row.detail).toContain('nobody@audit.test');
    expect(row.detail).toMatch(/unknown/);
  });

  it('records a sign-in with a wrong password against that account', async () => {
    const password = 'not the admin password at all';
    secrets.add(password);

    const rows = await audited(() =>
      cv.client().post('/api/sign-in', { email: ADMIN.email, password }),
    );

    const row = theEvent(rows, 'sign_in.failed');
    expect(row.target_user_id).toBe(adminId);
    expect(row.target_email).toBe(ADMIN.email);
    expect(row.detail).toMatch(/wrong_password/);
  });

  it('records the administrator adding a user and sending the invitation', async () => {
    const rows = await audited(async () => {
      const created = await admin.post('/api/users', {
        email: USER.email,
        firstName: 'Audrey',
        lastName: 'Trail',
        roles: ['user'],
        twoFactor: true,
      });
      expect(created.status).toBe(201);
      userId = created.body.id;
    });

    const created = theEvent(rows, 'user.created');
    expect(created.actor_user_id).toBe(adminId);
    expect(created.target_user_id).toBe(userId);
    expect(created.target_email).toBe(USER.email);
    const sent = theEvent(rows, 'invitation.sent');
    expect(sent.actor_user_id).toBe(adminId);
    expect(sent.target_user_id).toBe(userId);
  });

  let browser: Client;

  it('records the invitation accepted and the code sent', async () => {
    const mail = await cv.smtp.waitFor(USER.email);
    const token = new URL(linkIn(mail)).hash.slice(1);
    secrets.add(token);
    browser = cv.client();

    const rows = await audited(() => browser.post('/api/invitations/accept', { token }));
    await keepCookies(browser);

    const accepted = theEvent(rows, 'invitation.accepted');
    expect(accepted.actor_user_id).toBe(userId);
    expect(accepted.target_user_id).toBe(userId);
    const sent = theEvent(rows, 'code.sent');
    expect(sent.target_user_id).toBe(userId);
  });

  it('records a wrong code', async () => {
    const mail = await cv.smtp.waitFor(USER.email, 2);
    const right = codeIn(mail);
    codes.add(right);
    const wrong = right === '493817' ? '493818' : '493817';
    codes.add(wrong);

    const rows = await audited(() => browser.post('/api/sign-in/code', { code: wrong }));

    const row = theEvent(rows, 'code.failed');
    expect(row.actor_user_id).toBe(userId);
    expect(row.target_user_id).toBe(userId);
  });

  it('records the code accepted and the password personalised', async () => {
    const code = codeIn(cv.smtp.to(USER.email)[1]!);

    const accepted = await audited(() => browser.post('/api/sign-in/code', { code }));
    await keepCookies(browser);
    const refusedPassword = 'qwerty123456';
    secrets.add(refusedPassword);
    const refused = await browser.post('/api/password/personalise', {
      newPassword: refusedPassword,
      confirmPassword: refusedPassword,
    });
    secrets.add(USER.password);
    const personalised = await audited(() =>
      browser.post('/api/password/personalise', {
        newPassword: USER.password,
        confirmPassword: USER.password,
      }),
    );
    await keepCookies(browser);

    expect(refused.status).toBe(400);
    expect(theEvent(accepted, 'code.accepted').target_user_id).toBe(userId);
    const changed = theEvent(personalised, 'password.personalised');
    expect(changed.actor_user_id).toBe(userId);
    expect(changed.target_user_id).toBe(userId);
    const signedIn = theEvent(personalised, 'sign_in.succeeded');
    expect(signedIn.detail).toMatch(/invitation/);
  });

  it('records a new code sent on request', async () => {
    const again = cv.client();
    await again.post('/api/sign-in', USER);
    await keepCookies(again);
    const first = await cv.smtp.waitFor(USER.email, 3);
    codes.add(codeIn(first));
    cv.advance(61_000);

    const rows = await audited(() => again.post('/api/sign-in/code/resend', {}));
    const second = await cv.smtp.waitFor(USER.email, 4);
    codes.add(codeIn(second));

    expect(theEvent(rows, 'code.sent').target_user_id).toBe(userId);
  });

  it("records an administrator's change, with what changed", async () => {
    admin = await cv.admin();
    await keepCookies(admin);

    const rows = await audited(() =>
      admin.patch(`/api/users/${userId}`, { roles: ['user', 'supervisor'] }),
    );

    const row = theEvent(rows, 'user.updated');
    expect(row.actor_user_id).toBe(adminId);
    expect(row.actor_email).toBe(ADMIN.email);
    expect(row.target_user_id).toBe(userId);
    expect(row.detail).toMatch(/roles/);
    expect(row.detail).toMatch(/supervisor/);
    expect(theEvent(rows, 'sessions.ended').target_user_id).toBe(userId);
  });

  it('records a sign-in by a disabled user against that account', async () => {
    await admin.patch(`/api/users/${userId}`, { status: 'disabled' });

    const rows = await audited(() => cv.client().post('/api/sign-in', USER));

    const row = theEvent(rows, 'sign_in.failed');
    expect(row.target_user_id).toBe(userId);
    expect(row.detail).toMatch(/disabled/);
  });

  it('records a sign-out', async () => {
    const rows = await audited(() => admin.post('/api/sign-out', {}));

    expect(theEvent(rows, 'sign_out').actor_user_id).toBe(adminId);
  });
});

describe('no secret in the audit trail or the logs', () => {
  function containsCode(text: string, code: string): boolean {
    return new RegExp(`(?<!\\d)${code}(?!\\d)`).test(text);
  }

  it('collected every kind of secret the journey used', () => {
    // Passwords (3 tried, 1 refused, 2 real), the invitation token and
    // several session and pending cookies; at least four codes.
    expect(secrets.size).toBeGreaterThanOrEqual(10);
    expect(codes.size).toBeGreaterThanOrEqual(4);
    expect(cv.logs.length).toBeGreaterThan(20);
  });

  it('keeps every password, code and token out of the audit table', async () => {
    const rows = await cv.callvault.db.selectFrom('audit_events').selectAll().execute();
    const cells = rows.flatMap((row) => Object.values(row).map((v) => String(v)));

    for (const secret of secrets) {
      const leaks = cells.filter((cell) => cell.includes(secret));
      expect(leaks, `secret ${secret.slice(0, 4)}… in audit`).toEqual([]);
    }
    for (const code of codes) {
      const leaks = cells.filter((cell) => containsCode(cell, code));
      expect(leaks, `code in audit`).toEqual([]);
    }
  });

  it('keeps every password, code and token out of every log line', () => {
    for (const secret of secrets) {
      const leaks = cv.logs.filter((line) => line.includes(secret));
      expect(leaks, `secret ${secret.slice(0, 4)}… in logs`).toEqual([]);
    }
    for (const code of codes) {
      const leaks = cv.logs.filter((line) => containsCode(line, code));
      expect(leaks, 'code in logs').toEqual([]);
    }
  });

  it('logs requests by path, without their query strings', async () => {
    const fresh = await cv.admin();
    const before = cv.logs.length;

    await fresh.get('/api/users?search=needle-in-query&limit=5');
    await fresh.get('/settings/users?tab=needle-in-page');
    await cv.client().get('/invitation?token=needle-in-link');
    await cv.client().post('/api/sign-in/code?next=/needle-in-next', { code: '1' });
    await cv.client().get('/api/no-such-route?needle-in-404=1');

    const lines = cv.logs.slice(before);
    const requests = lines.map((line) => JSON.parse(line)).filter((entry) => entry.req);
    expect(requests.length).toBeGreaterThanOrEqual(5);
    expect(requests.some((entry) => entry.req.path === '/api/users')).toBe(true);
    for (const line of lines) {
      expect(line).not.toContain('needle-in');
      expect(line).not.toMatch(/"(url|path|originalUrl)":"[^"]*\?/);
    }
  });

  it('logs mail by recipient and subject, never its body', () => {
    const mailLines = cv.logs.filter((line) => line.includes('outbox.sent'));

    expect(mailLines.length).toBeGreaterThanOrEqual(4);
    for (const line of mailLines) {
      expect(line).not.toMatch(/security code is|\/invitation#/);
    }
  });
});
