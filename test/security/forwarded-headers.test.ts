/**
 * Spoofed Host, Forwarded and X-Forwarded-* headers, attacked over HTTP:
 * the client address comes from the socket unless it is a trusted proxy,
 * and links in mail come from PUBLIC_URL whatever the request says.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../support/client.ts';
import { startInstance, type TestInstance } from '../support/instance.ts';
import {
  latestResetLink,
  mailsAbout,
  rawRequest,
} from '../support/journey.ts';
import { linkIn } from '../support/smtp.ts';

describe('throttling and the audit trail', () => {
  let cv: TestInstance;
  beforeAll(async () => {
    cv = await startInstance();
  });
  afterAll(async () => {
    await cv?.stop();
  });

  function signIn(client: Client, email: string, password: string) {
    return client.post('/api/sign-in', { email, password });
  }

  describe('the client address', () => {
    it('comes from the socket; X-Forwarded-For from anyone else is ignored', async () => {
      const email = 'spoof@throttle.test';
      await cv.addActiveUser({ email });
      await signIn(cv.client({ 'x-forwarded-for': '203.0.113.9' }), email, 'x');

      const row = await cv.callvault.db
        .selectFrom('audit_events')
        .select('ip')
        .where('event', '=', 'sign_in.failed')
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      expect(row.ip).toBe('127.0.0.1');
    });

    it('comes from X-Forwarded-For when the socket is a proxy in TRUST_PROXY', async () => {
      const proxied = await startInstance({ TRUST_PROXY: '127.0.0.1' });
      try {
        await signIn(proxied.client({ 'x-forwarded-for': '203.0.113.9' }), 'p@x.test', 'x');

        const row = await proxied.callvault.db
          .selectFrom('audit_events')
          .select('ip')
          .where('event', '=', 'sign_in.failed')
          .executeTakeFirstOrThrow();
        expect(row.ip).toBe('203.0.113.9');
        const keys = await proxied.callvault.db
          .selectFrom('throttles')
          .select('key')
          .execute();
        expect(keys.map((k) => k.key)).toContain('sign-in:client:203.0.113.9');
      } finally {
        await proxied.stop();
      }
    });
  });
});

describe('links in mail', () => {
  const PORTAL = 'http://portal.callvault.test:8443';
  const ACTIVE = 'active@reset.test';

  let cv: TestInstance;
  beforeAll(async () => {
    cv = await startInstance({ PUBLIC_URL: PORTAL });
    await cv.addActiveUser({ email: ACTIVE });
  });
  afterAll(async () => {
    await cv.stop();
  });

  it('builds the link from PUBLIC_URL, whatever Host and X-Forwarded-Host say', async () => {
    const admin = await cv.admin();
    const cookie = await admin.jar.getCookieString(cv.url);
    const spoofed = {
      host: 'evil.test',
      'x-forwarded-host': 'evil.test',
      'x-forwarded-proto': 'https',
      forwarded: 'host=evil.test;proto=https',
      origin: PORTAL,
      cookie,
      'content-type': 'application/json',
    };

    const created = await rawRequest(
      cv,
      'POST',
      '/api/users',
      spoofed,
      JSON.stringify({
        email: 'spoofed@invitations.test',
        roles: ['user'],
        twoFactor: false,
      }),
    );
    expect(created.status).toBe(201);
    const first = await cv.smtp.waitFor('spoofed@invitations.test');

    const resent = await rawRequest(
      cv,
      'POST',
      `/api/users/${created.body.id}/invitation`,
      spoofed,
      '{}',
    );
    expect(resent.status).toBe(200);
    const second = await cv.smtp.waitFor('spoofed@invitations.test', 2);

    for (const mail of [first, second]) {
      expect(new URL(linkIn(mail)).origin).toBe(PORTAL);
      expect(mail.text).not.toContain('evil.test');
      expect(mail.html).not.toContain('evil.test');
    }
  });

  it('builds the link from PUBLIC_URL, whatever Host and forwarding say', async () => {
    const asked = await rawRequest(
      cv,
      'POST',
      '/api/password/forgot',
      {
        host: 'evil.test',
        'x-forwarded-host': 'evil.test',
        'x-forwarded-proto': 'https',
        forwarded: 'host=evil.test;proto=https',
        origin: PORTAL,
        'content-type': 'application/json',
      },
      JSON.stringify({ email: ACTIVE }),
    );
    expect(asked.status).toBe(200);

    const mails = await mailsAbout(cv, ACTIVE, 'Reset your Callvault password');
    const mail = mails.at(-1)!;
    expect((await latestResetLink(cv, ACTIVE)).origin).toBe(PORTAL);
    expect(mail.text).not.toContain('evil.test');
    expect(mail.html).not.toContain('evil.test');
  });
});
