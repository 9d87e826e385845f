/**
 * Configuration: the environment is read once, a bad value stops start-up
 * with a message naming the variable and what it expects, and the defaults
 * are the ones the issue promises a newcomer.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/server/config.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The ConfigError that loading `env` throws; fails when none is thrown. */
function refusal(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig defaults', () => {
  // An empty environment is what `npm start` on a fresh clone sees.
  const config = loadConfig({});

  it('serves on 127.0.0.1:3000 and builds links from that address', () => {
    expect(config.port).toBe(3000);
    expect(config.host).toBe('127.0.0.1');
    expect(config.publicUrl.href).toBe('http://127.0.0.1:3000/');
  });

  it('keeps data in a SQLite file under ./data', () => {
    expect(config.database).toEqual({
      engine: 'sqlite',
      file: expect.stringMatching(/^(\.\/)?data[\\/][^\\/]+\.db$/),
    });
  });

  it('sends mail to the local mailbox, with a sender of its own', () => {
    expect(config.smtpUrl).toBeUndefined();
    expect(config.mailFrom).toMatch(/<[^>]+@[^>]+>$/);
  });

  it('creates no administrator and sets no password by itself', () => {
    expect(config.initialAdmin).toBeUndefined();
  });

  it('ends idle sessions after 30 minutes and all after 12 hours', () => {
    expect(config.sessionIdleMinutes).toBe(30);
    expect(config.sessionMaxHours).toBe(12);
  });

  it('logs at info and sets no Secure cookies over plain http', () => {
    expect(config.logLevel).toBe('info');
    expect(config.secureCookies).toBe(false);
  });

  it('counts an empty value as unset', () => {
    const blank = loadConfig({ PORT: '', LOG_LEVEL: '', SMTP_URL: '' });

    expect(blank.port).toBe(3000);
    expect(blank.logLevel).toBe('info');
    expect(blank.smtpUrl).toBeUndefined();
  });
});

describe('loadConfig with values', () => {
  it('takes every variable the issue names', () => {
    const config = loadConfig({
      PORT: '8443',
      HOST: '0.0.0.0',
      PUBLIC_URL: 'https://calls.example.com',
      DATABASE_URL: 'sqlite:/var/lib/callvault/db.sqlite',
      SMTP_URL: 'smtps://user:pass@mail.example.com:465',
      MAIL_FROM: 'Calls <calls@example.com>',
      ADMIN_EMAIL: 'it@example.com',
      ADMIN_PASSWORD: 'a long and personal passphrase',
      SESSION_IDLE_MINUTES: '15',
      SESSION_MAX_HOURS: '8',
      LOG_LEVEL: 'warn',
    });

    expect(config.port).toBe(8443);
    expect(config.host).toBe('0.0.0.0');
    expect(config.publicUrl.origin).toBe('https://calls.example.com');
    expect(config.database).toEqual({
      engine: 'sqlite',
      file: '/var/lib/callvault/db.sqlite',
    });
    expect(config.smtpUrl).toBe('smtps://user:pass@mail.example.com:465');
    expect(config.mailFrom).toBe('Calls <calls@example.com>');
    expect(config.initialAdmin).toEqual({
      email: 'it@example.com',
      password: 'a long and personal passphrase',
    });
    expect(config.sessionIdleMinutes).toBe(15);
    expect(config.sessionMaxHours).toBe(8);
    expect(config.logLevel).toBe('warn');
  });

  it('sets Secure cookies when the portal is served over https', () => {
    const config = loadConfig({ PUBLIC_URL: 'https://calls.example.com' });

    expect(config.secureCookies).toBe(true);
  });

  it('builds links from the port it listens on when PUBLIC_URL is unset', () => {
    const config = loadConfig({ PORT: '4000' });

    expect(config.publicUrl.href).toBe('http://127.0.0.1:4000/');
  });

  it('hands back a frozen object that nothing can change later', () => {
    const config = loadConfig({});

    expect(Object.isFrozen(config)).toBe(true);
  });
});

describe('loadConfig with PostgreSQL', () => {
  it.each(['postgres', 'postgresql'])('reads a %s:// DATABASE_URL', (scheme) => {
    const url = `${scheme}://calls:secret@db.example.com:5432/callvault`;
    const config = loadConfig({ DATABASE_URL: url });

    expect(config.database).toEqual({ engine: 'postgres', url, poolSize: 10 });
  });

  it('takes the pool size from DATABASE_POOL_SIZE', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://db.example.com/callvault',
      DATABASE_POOL_SIZE: '25',
    });

    expect(config.database).toMatchObject({ poolSize: 25 });
  });
});

describe('loadConfig refuses a bad value, naming it and what it expects', () => {
  it.each([
    ['PORT', 'abc', /PORT must be a whole number from 1 to 65535/],
    ['PORT', '70000', /PORT must be a whole number from 1 to 65535/],
    ['PORT', '0', /PORT must be a whole number from 1 to 65535/],
    ['PORT', '80.5', /PORT must be a whole number from 1 to 65535/],
    ['PUBLIC_URL', 'ftp://x', /PUBLIC_URL must be an http:\/\/ or https:\/\/ address/],
    ['PUBLIC_URL', 'calls.example.com', /PUBLIC_URL must be an http/],
    ['SMTP_URL', 'http://x', /SMTP_URL must be smtp:\/\/ or smtps:\/\//],
    ['SMTP_URL', 'not a url', /SMTP_URL must be smtp:\/\/ or smtps:\/\//],
    ['SESSION_IDLE_MINUTES', '0', /SESSION_IDLE_MINUTES must be a whole number of minutes/],
    ['SESSION_IDLE_MINUTES', 'soon', /SESSION_IDLE_MINUTES must be a whole number/],
    ['SESSION_MAX_HOURS', '-1', /SESSION_MAX_HOURS must be a whole number of hours/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL must be one of .*info/],
    ['DATABASE_URL', 'mysql://db/callvault', /DATABASE_URL must be sqlite:.* or postgres:/],
    ['DATABASE_URL', 'postgres:///callvault', /DATABASE_URL must be sqlite:/],
    ['DATABASE_POOL_SIZE', '0', /DATABASE_POOL_SIZE must be a whole number of connections/],
    ['DATABASE_POOL_SIZE', 'many', /DATABASE_POOL_SIZE must be a whole number/],
    ['DATABASE_POOL_SIZE', '500', /DATABASE_POOL_SIZE must be .* from 1 to 200/],
    ['MAIL_FROM', 'nobody', /MAIL_FROM must be an address/],
  ])('refuses %s=%j', (name, value, expected) => {
    const error = refusal({ [name]: value });

    expect(error.message).toContain(name);
    expect(error.message).toMatch(expected);
  });

  it('refuses ADMIN_EMAIL without ADMIN_PASSWORD, and the reverse', () => {
    const noPassword = refusal({ ADMIN_EMAIL: 'it@example.com' });
    const noEmail = refusal({ ADMIN_PASSWORD: 'a long and personal passphrase' });

    for (const error of [noPassword, noEmail]) {
      expect(error.message).toMatch(/ADMIN_EMAIL and ADMIN_PASSWORD must be set together/);
    }
  });

  it('refuses an ADMIN_EMAIL that is not one address', () => {
    const error = refusal({
      ADMIN_EMAIL: 'it@example.com, ceo@example.com',
      ADMIN_PASSWORD: 'a long and personal passphrase',
    });

    expect(error.message).toMatch(/ADMIN_EMAIL must be one email address/);
  });

  it('names every bad variable at once, so one restart fixes them all', () => {
    const error = refusal({ PORT: 'abc', LOG_LEVEL: 'loud', SMTP_URL: 'http://x' });

    expect(error.message).toContain('PORT');
    expect(error.message).toContain('LOG_LEVEL');
    expect(error.message).toContain('SMTP_URL');
  });

  // The message is printed at start-up; a secret in it would end up in
  // whatever collects the console.
  it('does not repeat a bad value that may hold a secret', () => {
    const error = refusal({ SMTP_URL: 'http://mailer:hunter2-secret@x' });

    expect(error.message).not.toContain('hunter2-secret');
  });
});

describe('start-up from the command line', () => {
  /** Runs main.ts in a fresh folder holding only `dotenv` as its .env. */
  function start(dotenv: string) {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'callvault-config-'));
    fs.writeFileSync(path.join(cwd, '.env'), dotenv);
    try {
      return spawnSync(
        path.join(root, 'node_modules/.bin/tsx'),
        [path.join(root, 'src/server/main.ts')],
        {
          cwd,
          encoding: 'utf8',
          timeout: 20_000,
          // Only what a shell needs: the test runner's own variables must
          // not decide the outcome.
          env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
        },
      );
    } finally {
      fs.rmSync(cwd, { recursive: true, force: true });
    }
  }

  it('reads .env and stops on a bad value with the message and no trace', () => {
    const run = start('PORT=abc\nSESSION_IDLE_MINUTES=0\n');

    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/PORT must be a whole number from 1 to 65535/);
    expect(run.stderr).toMatch(/SESSION_IDLE_MINUTES must be a whole number/);
    expect(run.stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it('stops when ADMIN_EMAIL comes without ADMIN_PASSWORD', () => {
    const run = start('ADMIN_EMAIL=it@example.com\n');

    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/ADMIN_EMAIL and ADMIN_PASSWORD/);
  });
});
