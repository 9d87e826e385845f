/**
 * "Forgot your password?" and "Send password reset" attacked over HTTP:
 * one answer in comparable time for every address, mail only for active
 * users, links from PUBLIC_URL that work once (also under a race) for one
 * hour, throttling per address and per client, and a finished reset that
 * ends every session, signs nobody in and never skips the security code.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Answer, Client } from '../support/client.ts';
import { startInstance, type TestInstance } from '../support/instance.ts';
import { auditCount, latestCode, PASSWORD } from '../support/journey.ts';
import type { ReceivedMail } from '../support/smtp.ts';

const PORTAL = 'http://portal.callvault.test:8443';
const HOUR = 3_600_000;
const NEW_PASSWORD = 'a brand new winter passphrase';
const ANSWER =
  'If an account uses that address, we have sent a link to reset its ' +
  'password. Check your inbox.';

const ACTIVE = 'active@reset.test';
const DISABLED = 'disabled@reset.test';
const INVITED = 'invited@reset.test';
const CODED = 'coded@reset.test';

let cv: TestInstance;
const ids: Record<string, string> = {};

beforeAll(async () => {
  cv = await startInstance({ PUBLIC_URL: PORTAL });
  const admin = await cv.admin();

  ids[ACTIVE] = (await cv.addActiveUser({ email: ACTIVE })).id;
  ids[DISABLED] = (await cv.addActiveUser({ email: DISABLED })).id;
  await admin.patch(`/api/users/${ids[DISABLED]}`, { status: 'disabled' });
  const invited = await admin.post('/api/users', {
    email: INVITED,
    roles: ['user'],
    twoFactor: false,
  });
  ids[INVITED] = invited.body.id;
  ids[CODED] = (await cv.addActiveUser({ email: CODED, twoFactor: true })).id;
});
afterAll(async () => {
  await cv.stop();
});

// Every test starts in a new hour, so that the hourly allowances spent by
// one test (all from 127.0.0.1) do not refuse the next.
beforeEach(() => {
  cv.advance(HOUR + 1000);
});

function forgot(email: string, client: Client = cv.client()) {
  return client.post('/api/password/forgot', { email });
}

function reset(token: string, password = NEW_PASSWORD, client: Client = cv.client()) {
  return client.post('/api/password/reset', {
    token,
    newPassword: password,
    confirmPassword: password,
  });
}

function signIn(email: string, password: string, client: Client = cv.client()) {
  return client.post('/api/sign-in', { email, password });
}

/** How many reset emails were queued for an address. */
async function resetMailsQueued(address: string): Promise<number> {
  const row = await cv.callvault.db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('to_address', '=', address)
    .where('kind', '=', 'password_reset')
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Every mail to `address` of one subject, once the outbox's are in. */
async function mailsAbout(address: string, subject: string): Promise<ReceivedMail[]> {
  const queued = await cv.callvault.db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('to_address', '=', address)
    .where('subject', '=', subject)
    .executeTakeFirstOrThrow();
  const count = Number(queued.count);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const mails = cv.smtp.to(address).filter((mail) => mail.subject === subject);
    if (mails.length >= count || Date.now() > deadline) return mails;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The link in the newest reset email to `address`. */
async function latestResetLink(address: string): Promise<URL> {
  const mails = await mailsAbout(address, 'Reset your Callvault password');
  const mail = mails.at(-1);
  const match = mail?.text.match(/https?:\/\/\S+\/reset-password#\S+/);
  if (!match) throw new Error(`no reset link to ${address}`);
  return new URL(match[0]);
}

/** Asks for a reset for `address` and returns the mailed token. */
async function resetToken(address: string): Promise<string> {
  const asked = await forgot(address);
  expect(asked.status).toBe(200);
  return (await latestResetLink(address)).hash.slice(1);
}

/** The parts of an answer an attacker can compare. */
function visible(answer: Answer) {
  return {
    status: answer.status,
    body: answer.body,
    cookies: answer.headers.getSetCookie(),
    retryAfter: answer.headers.get('retry-after'),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function passwordHashOf(id: string): Promise<string | null> {
  const row = await cv.callvault.db
    .selectFrom('users')
    .select('password_hash')
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return row.password_hash;
}

/** A request whose Host and forwarded headers say what the test wants. */
function rawPost(
  path: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number }> {
  const url = new URL(cv.url);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path,
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0 }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

describe('one answer for every address', () => {
  it('answers unknown, invited, disabled and active addresses alike', async () => {
    const unknown = visible(await forgot('nobody@reset.test'));
    const invited = visible(await forgot(INVITED));
    const disabled = visible(await forgot(DISABLED));
    const active = visible(await forgot(ACTIVE));

    expect(unknown.status).toBe(200);
    expect(unknown.body).toEqual({ message: ANSWER });
    expect(unknown.cookies).toEqual([]);
    expect(invited).toEqual(unknown);
    expect(disabled).toEqual(unknown);
    expect(active).toEqual(unknown);
  });

  it('emails a link to an active user only', async () => {
    const before = {
      active: await resetMailsQueued(ACTIVE),
      invited: await resetMailsQueued(INVITED),
      disabled: await resetMailsQueued(DISABLED),
    };

    await forgot(ACTIVE.toUpperCase());
    await forgot(INVITED);
    await forgot(DISABLED);

    expect(await resetMailsQueued(ACTIVE)).toBe(before.active + 1);
    expect(await resetMailsQueued(INVITED)).toBe(before.invited);
    expect(await resetMailsQueued(DISABLED)).toBe(before.disabled);
    expect((await latestResetLink(ACTIVE)).pathname).toBe('/reset-password');
  });

  it('takes about as long for every kind of address', async () => {
    const kinds: Record<string, number[]> = {
      unknown: [],
      invited: [],
      disabled: [],
      active: [],
    };
    const addresses = { invited: INVITED, disabled: DISABLED, active: ACTIVE };

    // Interleaved, so that a slow moment of the machine hits all alike;
    // each round in a new hour, so that no allowance runs out.
    for (let round = 0; round < 5; round += 1) {
      cv.advance(HOUR + 1000);
      kinds.unknown!.push(await timed(`ghost-${round}@reset.test`));
      for (const [kind, address] of Object.entries(addresses)) {
        kinds[kind]!.push(await timed(address));
      }
    }

    async function timed(address: string): Promise<number> {
      const start = performance.now();
      const answer = await forgot(address);
      expect(answer.status).toBe(200);
      return performance.now() - start;
    }

    const times = Object.entries(kinds)
      .map(([kind, values]) => `${kind} ${median(values).toFixed(0)} ms`)
      .join(', ');
    for (const values of Object.values(kinds)) {
      const ratio = median(values) / median(kinds.unknown!);
      expect(ratio, times).toBeGreaterThan(0.67);
      expect(ratio, times).toBeLessThan(1.5);
    }
  });

  it('audits each request, with what became of it', async () => {
    await forgot('stranger@reset.test');
    await forgot(DISABLED);

    const rows = await cv.callvault.db
      .selectFrom('audit_events')
      .select(['target_user_id', 'detail'])
      .where('event', '=', 'password.reset_requested')
      .orderBy('id', 'desc')
      .limit(2)
      .execute();
    expect(rows.map((row) => JSON.parse(row.detail!))).toEqual([
      { email: DISABLED, outcome: 'disabled' },
      { email: 'stranger@reset.test', outcome: 'unknown_email' },
    ]);
    expect(rows[0]!.target_user_id).toBe(ids[DISABLED]);
    expect(rows[1]!.target_user_id).toBeNull();
  });

  it('refuses what is not one address, or a field more', async () => {
    const list = await forgot(`${ACTIVE}, attacker@evil.test`);
    const extra = await cv.client().post('/api/password/forgot', {
      email: ACTIVE,
      to: 'attacker@evil.test',
    });

    expect(list.status).toBe(400);
    expect(list.body.fields.email).toMatch(/one valid email address/);
    expect(extra.status).toBe(400);
    expect(extra.body.code).toBe('UNKNOWN_FIELD');
    expect(cv.smtp.to('attacker@evil.test')).toEqual([]);
  });
});

describe('the reset email', () => {
  it('carries a link to PUBLIC_URL with a 256-bit token kept only as a hash', async () => {
    const link = await latestResetLink(ACTIVE).catch(() => null);
    await forgot(ACTIVE);
    const fresh = await latestResetLink(ACTIVE);
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
  it('builds the link from PUBLIC_URL, whatever Host and forwarding say', async () => {
    const asked = await rawPost(
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

    const mails = await mailsAbout(ACTIVE, 'Reset your Callvault password');
    const mail = mails.at(-1)!;
    expect((await latestResetLink(ACTIVE)).origin).toBe(PORTAL);
    expect(mail.text).not.toContain('evil.test');
    expect(mail.html).not.toContain('evil.test');
  });
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

  it('ends the pending sign-ins of the user too', async () => {
    const halfWay = cv.client();
    expect((await signIn(CODED, PASSWORD, halfWay)).body.step).toBe('code');
    const code = await latestCode(cv, CODED);

    expect((await reset(await resetToken(CODED), NEW_PASSWORD)).status).toBe(204);

    const late = await halfWay.post('/api/sign-in/code', { code });
    expect(late.status).toBe(401);
    expect((await halfWay.get('/api/me')).status).toBe(401);
    expect((await reset(await resetToken(CODED), PASSWORD)).status).toBe(204);
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
    const before = (await mailsAbout(ACTIVE, subject)).length;

    expect((await reset(token, NEW_PASSWORD)).status).toBe(204);

    const mails = await mailsAbout(ACTIVE, subject);
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
describe('reset, then try to skip the security code', () => {
  it('still asks a two-factor user for the code', async () => {
    const attacker = cv.client();
    const token = await resetToken(CODED);
    expect((await reset(token, NEW_PASSWORD, attacker)).status).toBe(204);
    expect(await attacker.cookie('callvault_session')).toBeUndefined();

    const step = await signIn(CODED, NEW_PASSWORD, attacker);

    expect(step.status).toBe(200);
    expect(step.body.step).toBe('code');
    expect(await attacker.cookie('callvault_session')).toBeUndefined();
    const me = await attacker.get('/api/me');
    expect(me.status).toBe(401);
    expect(me.body.code).toBe('CODE_REQUIRED');
    expect((await attacker.get('/api/users')).status).toBe(401);

    expect((await reset(await resetToken(CODED), PASSWORD)).status).toBe(204);
  });
});

describe('a link works once, for one hour', () => {
  it('refuses the second use', async () => {
    const token = await resetToken(ACTIVE);

    expect((await reset(token, NEW_PASSWORD)).status).toBe(204);
    const again = await reset(token, PASSWORD);

    expect(again.status).toBe(400);
    expect(again.body.code).toBe('RESET_LINK_INVALID');
    expect((await signIn(ACTIVE, NEW_PASSWORD)).status).toBe(200);
    expect((await reset(await resetToken(ACTIVE), PASSWORD)).status).toBe(204);
  });

  async function allRefusals(): Promise<number> {
    const rows = await cv.callvault.db
      .selectFrom('audit_events')
      .select('id')
      .where('event', '=', 'password.reset_refused')
      .execute();
    return rows.length;
  }

  it('lets exactly one of ten simultaneous tries through', async () => {
    const token = await resetToken(ACTIVE);
    const refusedBefore = await allRefusals();
    const passwords = Array.from(
      { length: 10 },
      (_, index) => `simultaneous winter passphrase ${index}`,
    );

    const answers = await Promise.all(
      passwords.map((password) => reset(token, password)),
    );

    const winners = answers.flatMap((answer, index) =>
      answer.status === 204 ? [passwords[index]!] : [],
    );
    expect(winners).toHaveLength(1);
    for (const answer of answers.filter((a) => a.status !== 204)) {
      expect(answer.body.code).toBe('RESET_LINK_INVALID');
    }
    expect((await signIn(ACTIVE, winners[0]!)).status).toBe(200);
    // A loser that looked after the winner used the link up no longer
    // knows whose it was, so its refusal names nobody: count them all.
    expect((await allRefusals()) - refusedBefore).toBe(9);
    expect((await reset(await resetToken(ACTIVE), PASSWORD)).status).toBe(204);
  });

  it('voids the previous link when a new one is asked for', async () => {
    const first = await resetToken(ACTIVE);
    const second = await resetToken(ACTIVE);

    expect(first).not.toBe(second);
    expect((await reset(first)).body.code).toBe('RESET_LINK_INVALID');
    expect((await reset(second, PASSWORD)).status).toBe(204);
  });

  it('works until an hour has passed', async () => {
    const token = await resetToken(ACTIVE);
    cv.advance(HOUR - 10_000);

    expect((await reset(token, PASSWORD)).status).toBe(204);
  });

  it('is refused once an hour has passed', async () => {
    const token = await resetToken(ACTIVE);
    cv.advance(HOUR + 1000);

    const late = await reset(token);

    expect(late.status).toBe(400);
    expect(late.body.code).toBe('RESET_LINK_INVALID');
    expect((await signIn(ACTIVE, PASSWORD)).status).toBe(200);
  });

  it('refuses tokens Callvault never made', async () => {
    for (const token of ['', 'x', crypto.randomBytes(32).toString('base64url')]) {
      const answer = await reset(token);
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('RESET_LINK_INVALID');
    }
  });
});

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
    const link = await latestResetLink(ACTIVE);
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
