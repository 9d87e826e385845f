/**
 * The first administrator. Callvault never ships a default password: it
 * either creates the administrator named by ADMIN_EMAIL and ADMIN_PASSWORD,
 * or prints a one-time setup link, valid 24 hours, to whoever started it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/server/config.ts';
import { openDatabase } from '../../src/server/db/database.ts';
import { startCallvault } from '../../src/server/runtime.ts';
import { databaseUrl, dropDatabase } from '../support/database.ts';
import { ADMIN, startInstance, type TestInstance } from '../support/instance.ts';

// Empty values count as unset: no administrator from the environment.
const NO_ADMIN = { ADMIN_EMAIL: '', ADMIN_PASSWORD: '' };
const HOUR = 3_600_000;
const FIRST = {
  email: 'ada@setup.test',
  firstName: 'Ada',
  lastName: 'Lovelace',
  password: 'an analytical engine of my own',
};

function setupToken(instance: TestInstance): string {
  const setup = instance.callvault.setup;
  if (setup.kind !== 'link') throw new Error(`no setup link: ${setup.kind}`);
  return new URL(setup.url).hash.slice(1);
}

async function users(instance: TestInstance) {
  return instance.callvault.db.selectFrom('users').selectAll().execute();
}

function completeSetup(instance: TestInstance, body: Record<string, unknown>) {
  return instance.client().post('/api/setup', body);
}

describe('first start without ADMIN_EMAIL', () => {
  let cv: TestInstance;

  beforeAll(async () => {
    cv = await startInstance(NO_ADMIN);
  });
  afterAll(async () => {
    await cv.stop();
  });

  it('creates no user and makes a one-time setup link instead', async () => {
    const setup = cv.callvault.setup;

    expect(setup.kind).toBe('link');
    if (setup.kind !== 'link') return;
    const link = new URL(setup.url);
    expect(link.origin).toBe(new URL(cv.url).origin);
    expect(link.pathname).toBe('/setup');
    expect(Buffer.from(link.hash.slice(1), 'base64url')).toHaveLength(32);
    const lifetime = setup.expiresAt.getTime() - cv.callvault.ctx.clock().getTime();
    expect(lifetime).toBeGreaterThan(24 * HOUR - 60_000);
    expect(lifetime).toBeLessThanOrEqual(24 * HOUR);
    expect(await users(cv)).toEqual([]);
    expect((await cv.client().get('/api/setup')).body).toEqual({ needed: true });
  });

  // The link is printed for the person at the console; log collectors
  // must never see it.
  it('keeps the setup link out of the logs', () => {
    const token = setupToken(cv);

    expect(cv.logs.filter((line) => line.includes(token))).toEqual([]);
  });

  it.each([
    ['admin', 'admin'],
    ['admin@localhost', 'admin'],
    ['admin@callvault.local', 'password'],
    [ADMIN.email, ADMIN.password],
    ['root', 'root'],
    ['admin', ''],
  ])('has no default account: %s / %s is refused', async (email, password) => {
    const browser = cv.client();

    const answer = await browser.post('/api/sign-in', { email, password });

    expect(answer.status).toBe(401);
    expect((await browser.get('/api/users')).status).toBe(401);
    expect(await users(cv)).toEqual([]);
  });

  it.each([
    ['too short', 'short pass', /at least 12/],
    ['common', 'qwerty123456', /common/i],
    ['built from the name', 'AdaLovelace1815!', /name|email/i],
    ['built from the email', 'ada@setup.test2024', /name|email/i],
  ])('refuses a %s password with the reason, and keeps the link', async (_, password, reason) => {
    const token = setupToken(cv);

    const answer = await completeSetup(cv, { token, ...FIRST, password });

    expect(answer.status).toBe(400);
    expect(answer.body.fields.password).toMatch(reason);
    expect(await users(cv)).toEqual([]);
  });

  it('refuses a token it did not make', async () => {
    const answer = await completeSetup(cv, { token: 'A'.repeat(43), ...FIRST });

    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('SETUP_INVALID');
    expect(await users(cv)).toEqual([]);
  });

  it('refuses fields the setup form does not have', async () => {
    for (const extra of [{ roles: ['administrator', 'supervisor'] }, { twoFactor: false }]) {
      const answer = await completeSetup(cv, { token: setupToken(cv), ...FIRST, ...extra });
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('UNKNOWN_FIELD');
    }
    expect(await users(cv)).toEqual([]);
  });

  it('creates the administrator with the link shortly before it expires', async () => {
    const setup = cv.callvault.setup;
    if (setup.kind !== 'link') throw new Error('no setup link');
    cv.advance(setup.expiresAt.getTime() - cv.callvault.ctx.clock().getTime() - 30_000);

    const answer = await completeSetup(cv, { token: setupToken(cv), ...FIRST });

    expect(answer.status).toBe(201);
    const [admin, ...others] = await users(cv);
    expect(others).toEqual([]);
    expect(admin).toMatchObject({
      email: FIRST.email,
      first_name: FIRST.firstName,
      last_name: FIRST.lastName,
      role_administrator: 1,
      status: 'active',
      must_personalise: 0,
    });
    expect(admin!.password_hash).toMatch(/^\$argon2id\$/);
    expect((await cv.client().get('/api/setup')).body).toEqual({ needed: false });
  });

  it('lets the new administrator sign in and manage users', async () => {
    const browser = cv.client();

    const step = await browser.post('/api/sign-in', {
      email: FIRST.email,
      password: FIRST.password,
    });

    expect(step.body.step).toBe('home');
    expect((await browser.get('/api/users')).status).toBe(200);
  });

  it('refuses the link a second time, and adds no one', async () => {
    const answer = await completeSetup(cv, {
      token: setupToken(cv),
      email: 'mallory@setup.test',
      firstName: 'Mallory',
      lastName: 'Second',
      password: 'a second administrator sneaks in',
    });

    expect([400, 409]).toContain(answer.status);
    expect(['SETUP_INVALID', 'SETUP_DONE']).toContain(answer.body.code);
    expect(await users(cv)).toHaveLength(1);
  });
});

describe('the setup link after 24 hours', () => {
  let cv: TestInstance;

  beforeAll(async () => {
    cv = await startInstance(NO_ADMIN);
  });
  afterAll(async () => {
    await cv.stop();
  });

  it('is refused one second after it expires', async () => {
    const setup = cv.callvault.setup;
    if (setup.kind !== 'link') throw new Error('no setup link');
    cv.advance(setup.expiresAt.getTime() - cv.callvault.ctx.clock().getTime() + 1_000);

    const answer = await completeSetup(cv, { token: setupToken(cv), ...FIRST });

    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('SETUP_INVALID');
    // The message tells the person how to get a new link.
    expect(answer.body.message).toMatch(/restart/i);
    expect(await users(cv)).toEqual([]);
    expect((await cv.client().get('/api/setup')).body).toEqual({ needed: true });
  });
});

describe('a restart before setup', () => {
  let first: TestInstance;
  let second: TestInstance;
  let oldToken: string;

  beforeAll(async () => {
    first = await startInstance(NO_ADMIN);
    oldToken = setupToken(first);
    await first.stop({ keepFiles: true });
    second = await startInstance(NO_ADMIN, { dir: first.dir });
  });
  afterAll(async () => {
    await second.stop();
  });

  it('prints a new link and voids the old one', async () => {
    const fresh = setupToken(second);
    expect(fresh).not.toBe(oldToken);

    const answer = await completeSetup(second, { token: oldToken, ...FIRST });

    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('SETUP_INVALID');
    expect(await users(second)).toEqual([]);
  });

  // Two people racing to claim a freshly started portal: one wins.
  it('creates one administrator when the link is used many times at once', async () => {
    const token = setupToken(second);

    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        completeSetup(second, {
          token,
          email: `racer-${i}@setup.test`,
          firstName: 'Racer',
          lastName: String(i),
          password: `racing for the portal, number ${i}`,
        }),
      ),
    );

    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    for (const answer of answers) expect(answer.status).toBeLessThan(500);
    expect(await users(second)).toHaveLength(1);
  });
});

describe('with ADMIN_EMAIL and ADMIN_PASSWORD', () => {
  let cv: TestInstance;

  beforeAll(async () => {
    cv = await startInstance();
  });
  afterAll(async () => {
    await cv.stop();
  });

  it('has the administrator from the first start, and no setup link', async () => {
    expect(cv.callvault.setup).toEqual({ kind: 'created', email: ADMIN.email });

    const [admin, ...others] = await users(cv);
    expect(others).toEqual([]);
    expect(admin).toMatchObject({
      email: ADMIN.email,
      role_administrator: 1,
      status: 'active',
    });
    expect((await cv.client().get('/api/setup')).body).toEqual({ needed: false });
  });

  it('lets that administrator sign in straight away', async () => {
    const browser = cv.client();

    const step = await browser.post('/api/sign-in', ADMIN);

    expect(step.body.step).toBe('home');
    expect((await browser.get('/api/users')).status).toBe(200);
  });

  it('refuses the setup form once an administrator exists', async () => {
    const answer = await completeSetup(cv, { token: 'A'.repeat(43), ...FIRST });

    expect([400, 409]).toContain(answer.status);
    expect(await users(cv)).toHaveLength(1);
  });

  it('keeps the one administrator across a restart', async () => {
    await cv.stop({ keepFiles: true });
    cv = await startInstance({}, { dir: cv.dir });

    expect(cv.callvault.setup).toEqual({ kind: 'ready' });
    expect(await users(cv)).toHaveLength(1);
    expect((await cv.client().post('/api/sign-in', ADMIN)).body.step).toBe('home');
  });

  it('does not start with a weak ADMIN_PASSWORD, and says why', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callvault-setup-'));
    const config = loadConfig({
      DATABASE_URL: await databaseUrl(dir),
      ADMIN_EMAIL: 'it@setup.test',
      ADMIN_PASSWORD: 'password1234',
      LOG_LEVEL: 'silent',
    });
    const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });

    try {
      await expect(
        startCallvault(config, { listen: false, logStream: quiet }),
      ).rejects.toThrow(/ADMIN_PASSWORD.*common/);

      const db = openDatabase(config);
      const rows = await db.selectFrom('users').select('id').execute();
      await db.destroy();
      expect(rows).toEqual([]);
    } finally {
      await dropDatabase(dir);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
