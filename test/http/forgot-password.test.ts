/**
 * "Forgot your password?" and "Send password reset" over HTTP: the reset
 * email, a finished reset that ends every session and signs nobody in,
 * disabled users, throttling per address and per client. Enumeration,
 * link reuse and expiry, forwarded headers and skipping the security code
 * are attacked in test/security.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInstance, type TestInstance } from '../support/instance.ts';
import {
  auditCount,
  latestCode,
  latestResetLink,
  mailsAbout,
  PASSWORD,
} from '../support/journey.ts';
import {
  ACTIVE,
  addResetAccounts,
  CODED,
  DISABLED,
  HOUR,
  INVITED,
  NEW_PASSWORD,
  PORTAL,
  resetSteps,
  startEachTestInANewHour,
} from '../support/reset-accounts.ts';

let cv: TestInstance;
const ids: Record<string, string> = {};

beforeAll(async () => {
  cv = await startInstance({ PUBLIC_URL: PORTAL });
  Object.assign(ids, await addResetAccounts(cv));
});
afterAll(async () => {
  await cv.stop();
});

startEachTestInANewHour(() => cv);

const {
  forgot,
  reset,
  signIn,
  resetToken,
  resetMailsQueued,
} = resetSteps(() => cv);

async function passwordHashOf(id: string): Promise<string | null> {
  const row = await cv.callvault.db
    .selectFrom('users')
    .select('password_hash')
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return row.password_hash;
}

describe('the reset email', () => {
  it('carries a link to PUBLIC_URL with a 256-bit token kept only as a hash', async () => {
    const link = await latestResetLink(cv, ACTIVE).catch(() => null);
    await forgot(ACTIVE);
    const fresh = await latestResetLink(cv, ACTIVE);
    const token = fresh.hash.slice(1);

    expect(fresh.href).not.toBe(link?.href);
    expect(fresh.origin).toBe(PORTAL);
    expect(fresh.search).toBe('');
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);

    const row = await cv.callvault.db
      .selectFrom('links')
      .selectAll()
      .where('user_id', '=', ids[ACTIVE]!)
      .where('purpose', '=', 'reset')
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(token);
    const sha256 = crypto.createHash('sha256').update(token).digest('hex');
    expect(row.token_hash).toBe(sha256);
    expect(Date.parse(row.expires_at) - Date.parse(row.created_at)).toBe(HOUR);
  });

  // A forged Host would otherwise make Callvault mail a link to the
  // attacker's site, where the token is harvested (host header poisoning).
});

describe('finishing a reset', () => {
  it('sets the password, ends every session and signs nobody in', async () => {
    const signedIn = cv.client();
    expect((await signIn(ACTIVE, PASSWORD, signedIn)).status).toBe(200);
    const halfWay = cv.client();
    expect((await signIn(CODED, PASSWORD, halfWay)).body.step).toBe('code');
    const token = await resetToken(ACTIVE);

    const done = await reset(token);

    expect(done.status).toBe(204);
    expect(done.headers.getSetCookie()).toEqual([]);
    expect((await signedIn.get('/api/me')).status).toBe(401);
    expect((await signIn(ACTIVE, PASSWORD)).status).toBe(401);
    const next = cv.client();
    expect((await signIn(ACTIVE, NEW_PASSWORD, next)).body.step).toBe('home');
    expect((await next.get('/api/me')).body.email).toBe(ACTIVE);
    expect(await auditCount(cv, ids[ACTIVE]!, 'password.reset')).toBeGreaterThan(0);

    // Put back, for the tests that follow.
    expect((await reset(await resetToken(ACTIVE), PASSWORD)).status).toBe(204);
  });

  it('keeps the link when the new password is refused', async () => {
    const token = await resetToken(ACTIVE);
    const hash = await passwordHashOf(ids[ACTIVE]!);

    const common = await reset(token, 'password123456');
    const mismatch = await cv.client().post('/api/password/reset', {
      token,
      newPassword: NEW_PASSWORD,
      confirmPassword: `${NEW_PASSWORD}!`,
    });
    const named = await reset(token, 'active reset test 2024');

    expect(common.status).toBe(400);
    expect(common.body.fields.newPassword).toMatch(/most common passwords/);
    expect(mismatch.body.fields.confirmPassword).toMatch(/do not match/);
    expect(named.body.fields.newPassword).toMatch(/email address/);
    expect(await passwordHashOf(ids[ACTIVE]!)).toBe(hash);
    expect((await reset(token, PASSWORD)).status).toBe(204);
  });

  it('confirms by email, with no link, token or password in it', async () => {
    const token = await resetToken(ACTIVE);
    const subject = 'Your Callvault password was reset';
    const before = (await mailsAbout(cv, ACTIVE, subject)).length;

    expect((await reset(token, NEW_PASSWORD)).status).toBe(204);

    const mails = await mailsAbout(cv, ACTIVE, subject);
    expect(mails).toHaveLength(before + 1);
    const mail = mails.at(-1)!;
    for (const body of [mail.text, mail.html]) {
      expect(body).not.toContain(token);
      expect(body).not.toContain(NEW_PASSWORD);
      expect(body).not.toContain('reset-password');
    }
    expect(mail.text).toContain('signed out');
    const logs = cv.logs.join('');
    expect(logs).not.toContain(token);
    expect(logs).not.toContain(NEW_PASSWORD);
    expect((await reset(await resetToken(ACTIVE), PASSWORD)).status).toBe(204);
  });

  it('clears the sign-in failure streak of a locked-out account', async () => {
    const key = `sign-in:email:${ACTIVE}`;
    const at = new Date().toISOString();
    await cv.callvault.db
      .insertInto('throttles')
      .values({
        key,
        count: 100,
        window_started_at: at,
        blocked_until: new Date(8.64e15).toISOString(),
        updated_at: at,
      })
      .onConflict((oc) => oc.column('key').doUpdateSet({ count: 100 }))
      .execute();

    expect((await reset(await resetToken(ACTIVE), PASSWORD)).status).toBe(204);

    const left = await cv.callvault.db
      .selectFrom('throttles')
      .select('key')
      .where('key', '=', key)
      .execute();
    expect(left).toEqual([]);
    expect((await signIn(ACTIVE, PASSWORD)).status).toBe(200);
  });
});

// The mailbox alone must never be enough to get in where two-factor is on
// (ASVS 6.4.3): the attacker who reads it resets, then signs in.
describe('a disabled user cannot reset', () => {
  it('refuses the link of a user disabled after it was sent, for good', async () => {
    const admin = await cv.admin();
    const token = await resetToken(ACTIVE);
    const hash = await passwordHashOf(ids[ACTIVE]!);
    await admin.patch(`/api/users/${ids[ACTIVE]}`, { status: 'disabled' });

    const refused = await reset(token);
    await admin.patch(`/api/users/${ids[ACTIVE]}`, { status: 'active' });
    const afterEnabled = await reset(token);

    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('RESET_LINK_INVALID');
    expect(afterEnabled.body.code).toBe('RESET_LINK_INVALID');
    expect(await passwordHashOf(ids[ACTIVE]!)).toBe(hash);
  });
});

describe('throttling', () => {
  it('allows three requests an hour per address, known or not', async () => {
    for (const address of [ACTIVE, 'unknown@reset.test']) {
      for (let request = 0; request < 3; request += 1) {
        expect((await forgot(address)).status).toBe(200);
      }
    }

    const known = await forgot(ACTIVE);
    const unknown = await forgot('unknown@reset.test');

    for (const refused of [known, unknown]) {
      expect(refused.status).toBe(429);
      expect(refused.body.code).toBe('TOO_MANY_REQUESTS');
      expect(refused.body.message).toMatch(/this address\. Try again in \d+ minutes\./);
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(3500);
      expect(retryAfter).toBeLessThanOrEqual(3600);
    }
    expect(known.body.message).toBe(unknown.body.message);

    cv.advance(HOUR + 1000);
    expect((await forgot(ACTIVE)).status).toBe(200);
  });

  it('allows twenty requests an hour per client', async () => {
    const addresses = Array.from({ length: 20 }, (_, i) => `sweep-${i}@reset.test`);

    const answers = await Promise.all(addresses.map((address) => forgot(address)));
    const counter = () =>
      cv.callvault.db
        .selectFrom('throttles')
        .selectAll()
        .where('key', '=', `reset:email:${ACTIVE}`)
        .executeTakeFirst();
    const before = await counter();
    const refused = await forgot(ACTIVE);

    expect(answers.map((answer) => answer.status)).toEqual(addresses.map(() => 200));
    expect(refused.status).toBe(429);
    expect(refused.body.message).toMatch(/your network\. Try again in/);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // The refused request spent nothing of the address's own allowance.
    expect(await counter()).toEqual(before);
    cv.advance(HOUR + 1000);
    expect((await forgot(ACTIVE)).status).toBe(200);
  });
});

describe('"Send password reset" by an administrator', () => {
  it('emails the user the same link, and audits who sent it', async () => {
    const admin = await cv.admin();
    const before = await resetMailsQueued(ACTIVE);

    const sent = await admin.post(`/api/users/${ids[ACTIVE]}/password-reset`);

    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ id: ids[ACTIVE], email: ACTIVE });
    expect(JSON.stringify(sent.body)).not.toMatch(/token|password/i);
    expect(await resetMailsQueued(ACTIVE)).toBe(before + 1);
    const link = await latestResetLink(cv, ACTIVE);
    expect(link.origin).toBe(PORTAL);
    expect((await reset(link.hash.slice(1), PASSWORD)).status).toBe(204);

    const row = await cv.callvault.db
      .selectFrom('audit_events')
      .selectAll()
      .where('event', '=', 'password.reset_sent')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(row.actor_email).toBe('admin@callvault.test');
    expect(row.target_user_id).toBe(ids[ACTIVE]);
  });

  it('is refused to a user who is not an administrator, and sends nothing', async () => {
    const user = cv.client();
    expect((await signIn(CODED, PASSWORD, user)).body.step).toBe('code');
    await user.post('/api/sign-in/code', { code: await latestCode(cv, CODED) });
    const before = await resetMailsQueued(ACTIVE);

    const refused = await user.post(`/api/users/${ids[ACTIVE]}/password-reset`);
    const stranger = await cv.client().post(`/api/users/${ids[ACTIVE]}/password-reset`);

    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('FORBIDDEN');
    expect(stranger.status).toBe(401);
    expect(await resetMailsQueued(ACTIVE)).toBe(before);
  });

  it('is refused for invited, disabled and unknown users', async () => {
    const admin = await cv.admin();

    const invited = await admin.post(`/api/users/${ids[INVITED]}/password-reset`);
    const disabled = await admin.post(`/api/users/${ids[DISABLED]}/password-reset`);
    const unknown = await admin.post(`/api/users/${crypto.randomUUID()}/password-reset`);

    expect(invited.status).toBe(409);
    expect(invited.body.code).toBe('RESET_NEEDS_ACTIVE');
    expect(disabled.status).toBe(409);
    expect(unknown.status).toBe(404);
    expect(await resetMailsQueued(INVITED)).toBe(0);
    expect(await resetMailsQueued(DISABLED)).toBe(0);
  });
});
