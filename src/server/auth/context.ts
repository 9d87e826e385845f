/**
 * What the sign-in and administration code is handed: the database, the
 * settings that shape the rules, a clock (so tests can move time) and a way
 * to tell the mail sender that new mail was committed.
 */
import type { Kysely } from 'kysely';
import type { Config } from '../config.ts';
import type { Database } from '../db/schema.ts';

export interface DomainContext {
  db: Kysely<Database>;
  config: Config;
  clock: () => Date;
  /** Called after a commit that queued mail. */
  mailQueued: () => void;
}

/** Who is asking, for the audit trail and the session record. */
export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
  /** The known-device cookie this browser sent, if any. */
  deviceToken?: string | null;
}

/** A time `ms` milliseconds after `from`. */
export function later(from: Date, ms: number): Date {
  return new Date(from.getTime() + ms);
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
