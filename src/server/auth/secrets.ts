/**
 * The one place where secrets are made, hashed and compared. Tokens are 256
 * random bits; only their SHA-256 is stored, so a copy of the database
 * opens no session and no link.
 */
import crypto from 'node:crypto';

/** 256 bits from the CSPRNG, URL-safe (ASVS 3.2.2 asks for at least 64). */
export function newToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/** The stored form of a token. */
export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A 6-digit security code from the CSPRNG (ASVS 2.7.6: >= 20 bits). */
export function newSecurityCode(): string {
  return crypto.randomInt(0, 1_000_000).toString().padStart(6, '0');
}

/**
 * A code's stored form. Six digits alone could be looked up in a table of
 * one million hashes; mixing in the pending sign-in's id makes each table
 * good for one sign-in only.
 */
export function hashSecurityCode(pendingId: string, code: string): string {
  return crypto
    .createHash('sha256')
    .update(`${pendingId}:${code}`, 'utf8')
    .digest('hex');
}

/** Compares two hex digests without leaking where they differ. */
export function sameDigest(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && crypto.timingSafeEqual(left, right);
}

/** A random id for rows; not a secret. */
export function newId(): string {
  return crypto.randomUUID();
}
