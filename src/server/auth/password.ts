/**
 * Password hashing and the password policy. The policy follows NIST
 * 800-63B and ASVS 2.1: length, a blocklist and context words; no
 * composition rules, no rotation, every character allowed and counted.
 */
import { hash, verify, type Algorithm } from '@node-rs/argon2';
import { dictionary } from '@zxcvbn-ts/language-common';

/** OWASP's argon2id settings: 19 MiB, 2 passes, 1 lane. */
export const ARGON2_OPTIONS = {
  // Algorithm.Argon2id; the enum is type-only under isolatedModules.
  algorithm: 2 as Algorithm,
  memoryCost: 19 * 1024,
  timeCost: 2,
  parallelism: 1,
} as const;

/** ASVS 2.1.1 and 2.1.2: at least 12, at most 128 characters. */
export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;

// About 49,000 passwords, most common first, from zxcvbn's corpus.
const COMMON = new Set(
  (dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()),
);

/** Unicode forms of one text must hash alike (NIST 800-63B 5.1.1.2). */
function normalise(password: string): string {
  return password.normalize('NFKC');
}

/** The argon2id hash of a password, for storing. */
export function hashPassword(password: string): Promise<string> {
  return hash(normalise(password), ARGON2_OPTIONS);
}

/** Whether a password matches a stored hash; a malformed hash is "no". */
export async function verifyPassword(
  stored: string,
  password: string,
): Promise<boolean> {
  try {
    return await verify(stored, normalise(password));
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the same time as a real check, for an unknown or passwordless
 * account, so that timing does not say whether an address has an account.
 */
export async function verifyAgainstNothing(password: string): Promise<false> {
  dummyHash ??= hashPassword('callvault dummy password, never matches');
  await verifyPassword(await dummyHash, password);
  return false;
}

export interface PasswordContext {
  email: string;
  firstName: string;
  lastName: string;
}

/**
 * Why a password is refused, in words for the person choosing it, or null
 * when it is acceptable.
 */
export function passwordProblem(
  password: string,
  context: PasswordContext,
): string | null {
  const text = normalise(password);
  const length = [...text].length;

  if (length < PASSWORD_MIN) {
    return `Use at least ${PASSWORD_MIN} characters.`;
  }
  if (length > PASSWORD_MAX) {
    return `Use at most ${PASSWORD_MAX} characters.`;
  }

  const lower = text.toLowerCase();
  if (isCommon(lower)) {
    return (
      'This is one of the most common passwords, or one with only digits, ' +
      'symbols or repeats added. Choose something less predictable.'
    );
  }
  if (new Set(lower).size < 5) {
    return 'This password repeats too few different characters.';
  }
  if (builtFromContext(lower, context)) {
    return 'Do not build your password from your name, your email address or Callvault.';
  }
  return null;
}

/**
 * A common password, also when dressed up the usual ways: spaces taken
 * out, digits or symbols added before or after ("password123456"), or the
 * whole repeated ("dragondragon").
 */
function isCommon(lower: string): boolean {
  const squeezed = lower.replace(/\s+/g, '');
  const core = squeezed.replace(/^[\d\p{P}\p{S}]+|[\d\p{P}\p{S}]+$/gu, '');
  const repeated = /^(.+?)\1+$/u.exec(squeezed)?.[1];
  return [lower, squeezed, core, repeated].some(
    (candidate) => candidate !== undefined && COMMON.has(candidate),
  );
}

/**
 * True when, once the person's own words are taken out, too little is left
 * to guess: "jane.doe@acme.com2024" or "JaneDoeCallvault!".
 */
function builtFromContext(lower: string, context: PasswordContext): boolean {
  const email = context.email.toLowerCase();
  const [local = '', domain = ''] = email.split('@');
  const words = [
    email,
    local,
    domain,
    ...local.split(/[^\p{L}\p{N}]+/u),
    ...domain.split('.'),
    ...`${context.firstName} ${context.lastName}`.toLowerCase().split(/\s+/),
    'callvault',
  ].filter((word) => word.length >= 3);

  let rest = lower;
  for (const word of words.sort((a, b) => b.length - a.length)) {
    rest = rest.split(word).join('');
  }
  const leftover = rest.replace(/[\s\p{P}\p{S}\d]/gu, '');
  return rest !== lower && leftover.length < 6;
}
