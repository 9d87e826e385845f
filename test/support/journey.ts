/**
 * Steps of the sign-in journey that several HTTP security tests repeat:
 * sign in up to the code, read the latest mail, plant a cookie, count rows,
 * ask for a password reset, send headers fetch() will not.
 * Each helper talks to the real instance; none fakes a step.
 */
import http from 'node:http';
import { expect } from 'vitest';
import { Client, type Answer } from './client.ts';
import type { TestInstance } from './instance.ts';
import { codeIn, linkIn, type ReceivedMail } from './smtp.ts';

/** The password `addActiveUser` gives a user when the test names none. */
export const PASSWORD = 'a long and personal passphrase';

/**
 * The newest mail to `address`, once it has arrived. The outbox says how
 * many mails were queued for the address, so a mail still on its way is
 * waited for rather than mistaken for an older one.
 */
export async function latestMail(
  cv: TestInstance,
  address: string,
): Promise<ReceivedMail> {
  const queued = await cv.callvault.db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('to_address', '=', address)
    .where((eb) =>
      eb.or([eb('discarded_at', 'is', null), eb('sent_at', 'is not', null)]),
    )
    .executeTakeFirstOrThrow();
  return cv.smtp.waitFor(address, Number(queued.count));
}

/**
 * The code in the newest security-code mail to `address`. A notification
 * (two-factor changed, wrong codes entered) may have come after it.
 */
export async function latestCode(cv: TestInstance, address: string) {
  const newest = await latestMail(cv, address);
  const upToNewest = cv.smtp.to(address);
  const withCode = upToNewest
    .slice(0, upToNewest.indexOf(newest) + 1)
    .filter((mail) => /security code is \d{6}/.test(mail.text));
  return codeIn(withCode.at(-1) ?? newest);
}

/**
 * Signs in with email and password in a fresh browser, which must then owe
 * a security code, and returns that browser with the code it was mailed.
 */
export async function signInForCode(
  cv: TestInstance,
  email: string,
  password = PASSWORD,
): Promise<{ client: Client; code: string }> {
  const client = cv.client();
  const answer = await client.post('/api/sign-in', { email, password });
  expect(answer.body).toMatchObject({ step: 'code' });

  return { client, code: await latestCode(cv, email) };
}

/**
 * Adds a user as the first administrator and returns their id and the
 * token of the invitation link they were mailed (not yet used).
 */
export async function invite(
  cv: TestInstance,
  user: { email: string; twoFactor?: boolean; roles?: string[] },
): Promise<{ id: string; token: string }> {
  const admin = await cv.admin();
  const created = await admin.post('/api/users', {
    email: user.email,
    firstName: 'Invited',
    lastName: 'Person',
    roles: user.roles ?? ['user'],
    twoFactor: user.twoFactor ?? false,
  });
  expect(created.status).toBe(201);

  return { id: created.body.id, token: await latestInvitation(cv, user.email) };
}

/** The token in the newest invitation link mailed to `address`. */
export async function latestInvitation(
  cv: TestInstance,
  address: string,
): Promise<string> {
  const link = linkIn(await latestMail(cv, address));
  return new URL(link).hash.slice(1);
}

/** A fresh browser that holds exactly the cookies given, and no others. */
export async function browserWith(
  cv: TestInstance,
  cookies: Record<string, string>,
): Promise<Client> {
  const client = cv.client();
  for (const [name, value] of Object.entries(cookies)) {
    await client.jar.setCookie(`${name}=${value}; Path=/`, cv.url);
  }
  return client;
}

/** A 6-digit code that is surely not `code`. */
export function wrongCode(code: string, step = 1): string {
  return String((Number(code) + step) % 1_000_000).padStart(6, '0');
}

/** The id of the user with this email. */
export async function userId(cv: TestInstance, email: string): Promise<string> {
  const row = await cv.callvault.db
    .selectFrom('users')
    .select('id')
    .where('email_normalized', '=', email.toLowerCase())
    .executeTakeFirstOrThrow();
  return row.id;
}

/** How many audit events of one kind concern a user. */
export async function auditCount(
  cv: TestInstance,
  targetUserId: string,
  event: string,
): Promise<number> {
  const row = await cv.callvault.db
    .selectFrom('audit_events')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('target_user_id', '=', targetUserId)
    .where('event', '=', event)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** How many rows of a per-user table (sessions, pending sign-ins) a user has. */
export async function rowsOf(
  cv: TestInstance,
  table: 'sessions' | 'pending_sign_ins',
  ownerId: string,
): Promise<number> {
  const row = await cv.callvault.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('user_id', '=', ownerId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/**
 * Every "table.column" whose stored text holds `secret` as a whole word.
 * Word edges keep a 6-digit code from "matching" inside a hex hash or id.
 */
export async function placesHolding(
  cv: TestInstance,
  secret: string,
): Promise<string[]> {
  const db = cv.callvault.db;
  const pattern = new RegExp(`(?<![0-9A-Za-z_-])${secret}(?![0-9A-Za-z_-])`);
  const found: string[] = [];

  const tables = await db.introspection.getTables({
    withInternalKyselyTables: true,
  });
  for (const table of tables) {
    // The table names come from the database itself, not from a request.
    const rows = await db.selectFrom(table.name as 'users').selectAll().execute();
    for (const row of rows as Record<string, unknown>[]) {
      for (const [column, value] of Object.entries(row)) {
        if (value !== null && pattern.test(String(value))) {
          found.push(`${table.name}.${column}`);
        }
      }
    }
  }
  return [...new Set(found)];
}

/** The parts of an answer an attacker can compare. */
export function visible(answer: Answer) {
  return {
    status: answer.status,
    body: answer.body,
    cookies: answer.headers.getSetCookie(),
    retryAfter: answer.headers.get('retry-after'),
  };
}

/** The middle value of some timings. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * A request with headers fetch() will not send (Host), as a proxy or an
 * attacker in front of Callvault could. The body is parsed when it is JSON.
 */
export function rawRequest(
  cv: TestInstance,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; body: any }> {
  const url = new URL(cv.url);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => {
          let parsed: unknown = text || null;
          try {
            parsed = text ? JSON.parse(text) : null;
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: response.statusCode ?? 0, body: parsed });
        });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** Asks "Forgot your password?" for `email`. */
export function askForReset(cv: TestInstance, email: string, client = cv.client()) {
  return client.post('/api/password/forgot', { email });
}

/** Sets a new password with a reset link's token. */
export function resetPassword(
  cv: TestInstance,
  token: string,
  password: string,
  client = cv.client(),
) {
  return client.post('/api/password/reset', {
    token,
    newPassword: password,
    confirmPassword: password,
  });
}

/** Every mail to `address` of one subject, once the outbox's are in. */
export async function mailsAbout(
  cv: TestInstance,
  address: string,
  subject: string,
): Promise<ReceivedMail[]> {
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
export async function latestResetLink(cv: TestInstance, address: string): Promise<URL> {
  const mails = await mailsAbout(cv, address, 'Reset your Callvault password');
  const mail = mails.at(-1);
  const match = mail?.text.match(/https?:\/\/\S+\/reset-password#\S+/);
  if (!match) throw new Error(`no reset link to ${address}`);
  return new URL(match[0]);
}

/** Asks for a reset for `address` and returns the mailed token. */
export async function mailedResetToken(cv: TestInstance, address: string): Promise<string> {
  const asked = await askForReset(cv, address);
  expect(asked.status).toBe(200);
  return (await latestResetLink(cv, address)).hash.slice(1);
}
