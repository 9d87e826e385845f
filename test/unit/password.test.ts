/**
 * Password hashing and policy: argon2id with OWASP's parameters, and the
 * NIST 800-63B rules — length counted in characters, every character
 * allowed, no composition rules, a blocklist and the person's own words.
 */
import { dictionary } from '@zxcvbn-ts/language-common';
import { describe, expect, it } from 'vitest';
import {
  hashPassword,
  passwordProblem,
  verifyAgainstNothing,
  verifyPassword,
} from '../../src/server/auth/password.ts';

const person = { email: 'jane.doe@acme.com', firstName: 'Jane', lastName: 'Doe' };
const COMMON_LIST = dictionary['passwords-common'] as string[];

describe('hashPassword', () => {
  it('stores argon2id with m = 19 MiB, t = 2, p = 1', async () => {
    const stored = await hashPassword('a long and personal passphrase');

    expect(stored.startsWith('$argon2id$v=19$m=19456,t=2,p=1$')).toBe(true);
  });

  it('salts every hash, so one password hashes differently twice', async () => {
    const first = await hashPassword('a long and personal passphrase');
    const second = await hashPassword('a long and personal passphrase');

    expect(first).not.toBe(second);
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('a long and personal passphrase');

    expect(await verifyPassword(stored, 'a long and personal passphrase')).toBe(true);
    expect(await verifyPassword(stored, 'a long and personal passphrasE')).toBe(false);
    expect(await verifyPassword(stored, 'a long and personal passphrase ')).toBe(false);
  });

  // NIST 800-63B 5.1.1.2: the same text typed on two keyboards may arrive
  // composed ("é") or decomposed ("e" + accent) and must match either way.
  it('matches a password whatever its Unicode normal form', async () => {
    const composed = 'crème brûlée à la maison';
    const decomposed = composed.normalize('NFD');
    expect(decomposed).not.toBe(composed);

    const stored = await hashPassword(composed);

    expect(await verifyPassword(stored, decomposed)).toBe(true);
  });

  it('answers "no" for a malformed stored hash instead of throwing', async () => {
    expect(await verifyPassword('not a hash', 'whatever it is')).toBe(false);
    expect(await verifyPassword('', 'whatever it is')).toBe(false);
  });

  it('never matches anything when checking against no account', async () => {
    expect(await verifyAgainstNothing('callvault dummy password, never matches')).toBe(
      false,
    );
  });
});

describe('passwordProblem: length', () => {
  it('refuses 11 characters and accepts 12, saying why', () => {
    const reason = passwordProblem('plum tree 42', person);
    expect(reason).toBeNull();

    const short = passwordProblem('plum tree 4', person);
    expect(short).toMatch(/at least 12 characters/);
  });

  it('accepts 128 characters and refuses 129, saying why', () => {
    const base = 'the quick brown fox jumps over the lazy dog; ';
    const long = base.repeat(3).slice(0, 128);
    expect([...long]).toHaveLength(128);

    expect(passwordProblem(long, person)).toBeNull();
    expect(passwordProblem(`${long}x`, person)).toMatch(/at most 128 characters/);
  });

  // Each of these emoji is one code point but two UTF-16 units: counting
  // `.length` would accept 6 emoji as "12 characters" and refuse 128.
  it('counts an emoji as one character, not two', () => {
    const fruit = [...'🍎🍐🍊🍋🍌🍉🍇🍓🫐🍈🍒🍑🥭🍍🥥🥝'];

    const eleven = fruit.slice(0, 11).join('');
    const twelve = fruit.slice(0, 12).join('');
    expect(eleven.length).toBe(22);

    expect(passwordProblem(eleven, person)).toMatch(/at least 12 characters/);
    expect(passwordProblem(twelve, person)).toBeNull();

    const many = Array.from({ length: 128 }, (_, i) => fruit[i % 16]).join('');
    expect(many.length).toBe(256);
    expect(passwordProblem(many, person)).toBeNull();
    expect(passwordProblem(`${many}🍎`, person)).toMatch(/at most 128/);
  });
});

describe('passwordProblem: any characters, no composition rules', () => {
  it.each([
    ['spaces', 'walk the dog before noon'],
    ['accents', 'crème brûlée à la maison'],
    ['emoji', 'sunny 🌞 days in march 🌷'],
    ['non-Latin script', 'Добрый вечер, друзья мои'],
    ['CJK', '今日は良い天気ですね散歩'],
    ['only lower-case letters', 'purpleelephantsdancing'],
    ['only digits', '804193527716'],
    ['symbols and quotes', `"'<>&; zebra --/*%_\\ plum`],
  ])('accepts a password with %s', (_kind, password) => {
    expect(passwordProblem(password, person)).toBeNull();
  });

  it('keeps spaces at the ends: they are part of the password', async () => {
    const stored = await hashPassword('  walk the dog before noon  ');

    expect(await verifyPassword(stored, 'walk the dog before noon')).toBe(false);
    expect(await verifyPassword(stored, '  walk the dog before noon  ')).toBe(true);
  });
});

describe('passwordProblem: common passwords', () => {
  it('ships a list of at least 10,000 common passwords', () => {
    expect(COMMON_LIST.length).toBeGreaterThanOrEqual(10_000);
  });

  // Taken from the shipped list itself, 12 characters or more, so that
  // length alone does not refuse them.
  it.each(['qwerty123456', 'leavemealone', 'finalfantasy', 'administrator', 'unbelievable'])(
    'refuses %j from the list, saying it is common',
    (password) => {
      expect(COMMON_LIST).toContain(password);

      expect(passwordProblem(password, person)).toMatch(/common/i);
    },
  );

  it('refuses a common password whatever its letter case or spacing', () => {
    expect(passwordProblem('LeaveMeAlone', person)).toMatch(/common/i);
    expect(passwordProblem('leave me alone', person)).toMatch(/common/i);
    expect(passwordProblem('FINALFANTASY', person)).toMatch(/common/i);
  });

  it('refuses a password of too few different characters', () => {
    expect(passwordProblem('abababababababab', person)).not.toBeNull();
    expect(passwordProblem('zzzzzzzzzzzzzzzz', person)).not.toBeNull();
  });
});

describe("passwordProblem: the person's own words", () => {
  it.each([
    'jane.doe@acme.com',
    'jane.doe@acme.com2024',
    'JaneDoe2024!!',
    'Doe Jane 1984!',
    'janedoeacme!!',
    'Acme.com Jane!',
    'CallvaultJane1!',
  ])('refuses %j, built from the email or name, saying why', (password) => {
    const reason = passwordProblem(password, person);

    expect(reason).not.toBeNull();
    expect(reason).toMatch(/name|email/i);
  });

  it('accepts a password that merely contains the name among other words', () => {
    expect(passwordProblem('jane likes purple elephants', person)).toBeNull();
  });

  it("uses this person's words, not another's", () => {
    const other = { email: 'sam.roe@example.org', firstName: 'Sam', lastName: 'Roe' };

    expect(passwordProblem('JaneDoe2024!!', other)).toBeNull();
    expect(passwordProblem('SamRoe2024!!', other)).toMatch(/name|email/i);
  });
});
