/**
 * Invitations over HTTP: the email itself, "Resend invitation" and
 * disabled users. Link reuse and expiry, and links built from spoofed
 * headers, are attacked in test/security.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInstance, type TestInstance } from '../support/instance.ts';
import { invitations } from '../support/invitations.ts';
import { linkIn } from '../support/smtp.ts';

const PORTAL = 'http://portal.callvault.test:8443';

let cv: TestInstance;

beforeAll(async () => {
  cv = await startInstance({ PUBLIC_URL: PORTAL });
});
afterAll(async () => {
  await cv.stop();
});

const { tokenIn, invite, accept, userRow, pendingOf } = invitations(
  () => cv,
);

describe('the invitation email', () => {
  it('says who invited them, to which portal, in plain text and HTML', async () => {
    const { client: grace } = await cv.addActiveUser({
      email: 'grace@invitations.test',
      firstName: 'Grace',
      lastName: 'Hopper',
      roles: ['administrator'],
    });

    const created = await grace.post('/api/users', {
      email: 'ada@invitations.test',
      firstName: 'Ada',
      lastName: 'Lovelace',
      roles: ['user'],
      twoFactor: false,
    });
    expect(created.status).toBe(201);
    const mail = await cv.smtp.waitFor('ada@invitations.test');

    expect(mail.subject).toMatch(/invit/i);
    expect(mail.from).toBe('no-reply@callvault.test');
    for (const part of [mail.text, mail.html]) {
      expect(part).toContain('Grace Hopper');
      expect(part).toContain(PORTAL);
    }
    const link = linkIn(mail);
    expect(mail.html).toContain(`href="${link}"`);
    const expires = new Date(created.body.invitationExpiresAt).toUTCString();
    expect(mail.text).toContain(expires);
    expect(mail.html).toContain(expires);
  });

  it('carries a link to PUBLIC_URL with a 256-bit token kept only as a hash', async () => {
    const { id } = await invite('hashed@invitations.test');
    const mail = await cv.smtp.waitFor('hashed@invitations.test');
    const link = new URL(linkIn(mail));
    const token = link.hash.slice(1);

    expect(link.origin).toBe(PORTAL);
    expect(link.pathname).toBe('/invitation');
    // In the fragment, a token never reaches a server's access log.
    expect(link.search).toBe('');
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);

    const rows = await cv.callvault.db
      .selectFrom('links')
      .selectAll()
      .where('user_id', '=', id)
      .execute();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(token);
    const sha256 = crypto.createHash('sha256').update(token).digest('hex');
    expect(rows[0]!.token_hash).toBe(sha256);
  });

  // A forged Host would otherwise make Callvault mail a link to the
  // attacker's site, where the token is harvested (host header poisoning).
});

describe('"Resend invitation"', () => {
  it('voids the previous link and sends one that works', async () => {
    const { id } = await invite('resend@invitations.test');
    const old = tokenIn(await cv.smtp.waitFor('resend@invitations.test'));
    const admin = await cv.admin();

    const resent = await admin.post(`/api/users/${id}/invitation`, {});
    expect(resent.status).toBe(200);
    expect(resent.body.status).toBe('invited');
    const fresh = tokenIn(await cv.smtp.waitFor('resend@invitations.test', 2));

    expect(fresh).not.toBe(old);
    const refused = await accept(old);
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('LINK_INVALID');
    const accepted = await accept(fresh);
    expect(accepted.status).toBe(200);
  });

  it('is refused for an active user, and sends nothing', async () => {
    const { id } = await cv.addActiveUser({ email: 'active@invitations.test' });
    const outbox = await cv.callvault.db.selectFrom('outbox').select('id').execute();
    const admin = await cv.admin();

    const answer = await admin.post(`/api/users/${id}/invitation`, {});

    expect(answer.status).toBe(409);
    expect(answer.body.code).toBe('NOT_INVITED');
    const after = await cv.callvault.db.selectFrom('outbox').select('id').execute();
    expect(after).toHaveLength(outbox.length);
  });

  it('is refused for a disabled invited user, saying why', async () => {
    const { id } = await invite('disabled-resend@invitations.test');
    const admin = await cv.admin();
    await admin.patch(`/api/users/${id}`, { status: 'disabled' });

    const answer = await admin.post(`/api/users/${id}/invitation`, {});

    expect(answer.status).toBe(409);
    expect(answer.body.code).toBe('USER_DISABLED');
    expect(answer.body.message).toMatch(/disabled/);
  });

  it('answers 404 for a user who does not exist', async () => {
    const admin = await cv.admin();

    const answer = await admin.post('/api/users/no-such-user/invitation', {});

    expect(answer.status).toBe(404);
  });
});

describe('disabled users', () => {
  it("refuses a disabled invited user's link", async () => {
    const { id } = await invite('disabled@invitations.test');
    const token = tokenIn(await cv.smtp.waitFor('disabled@invitations.test'));
    const admin = await cv.admin();
    expect((await admin.patch(`/api/users/${id}`, { status: 'disabled' })).status).toBe(
      200,
    );

    const answer = await accept(token);

    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('LINK_INVALID');
    expect(answer.headers.getSetCookie()).toEqual([]);
    expect(await pendingOf(id)).toHaveLength(0);
    expect((await userRow(id)).status).toBe('disabled');
  });

  it('stops a user disabled after opening the link from choosing a password', async () => {
    const { id } = await invite('disabled-later@invitations.test');
    const token = tokenIn(await cv.smtp.waitFor('disabled-later@invitations.test'));
    const browser = cv.client();
    expect((await browser.post('/api/invitations/accept', { token })).status).toBe(200);
    const admin = await cv.admin();
    await admin.patch(`/api/users/${id}`, { status: 'disabled' });

    const answer = await browser.post('/api/password/personalise', {
      newPassword: 'a long and personal passphrase',
      confirmPassword: 'a long and personal passphrase',
    });

    expect(answer.status).toBe(401);
    const row = await userRow(id);
    expect(row.password_hash).toBeNull();
    expect(row.status).toBe('disabled');
  });
});
