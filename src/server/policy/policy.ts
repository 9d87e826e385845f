/**
 * The company's security policy (Settings > Security): the two-factor mode
 * and session lifetimes that override the environment's defaults. It is
 * read from the database at every use, never cached in the process: a
 * change saved on one instance applies at the next request on all of them,
 * and it costs one lookup by primary key.
 */
import type { Kysely } from 'kysely';
import type { TwoFactorMode } from '../../api/schemas.ts';
import { MINUTE } from '../auth/context.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/schema.ts';
import type { UserRecord } from '../users/user.ts';

export interface SecurityPolicy {
  twoFactor: TwoFactorMode;
  /** Null: SESSION_IDLE_MINUTES applies. */
  sessionIdleMinutes: number | null;
  /** Null: SESSION_MAX_HOURS applies. */
  sessionMaxHours: number | null;
}

/** What applies when nothing was ever saved (and what migration 0004 writes). */
export const DEFAULT_POLICY: SecurityPolicy = {
  twoFactor: 'none',
  sessionIdleMinutes: null,
  sessionMaxHours: null,
};

/** The policy as saved now. */
export async function readPolicy(db: Kysely<Database>): Promise<SecurityPolicy> {
  const row = await db
    .selectFrom('settings')
    .select(['two_factor_mode', 'session_idle_minutes', 'session_max_hours'])
    .where('id', '=', 1)
    .executeTakeFirst();
  return policyOf(row);
}

/** The settings row's columns; read with another query, or on their own. */
export const POLICY_COLUMNS = [
  'settings.two_factor_mode',
  'settings.session_idle_minutes',
  'settings.session_max_hours',
] as const;

/** The policy a settings row holds; the defaults when there is none. */
export function policyOf(
  row:
    | {
        two_factor_mode: SecurityPolicy['twoFactor'] | null;
        session_idle_minutes: number | null;
        session_max_hours: number | null;
      }
    | undefined,
): SecurityPolicy {
  if (!row?.two_factor_mode) return DEFAULT_POLICY;
  return {
    twoFactor: row.two_factor_mode,
    sessionIdleMinutes: row.session_idle_minutes,
    sessionMaxHours: row.session_max_hours,
  };
}

/**
 * Whether a sign-in of `user` owes a security code: their own box, or the
 * company's Email MFA, whichever asks. The policy never changes the box
 * itself, so going back to No MFA restores each user's own choice.
 */
export async function needsSecurityCode(
  db: Kysely<Database>,
  user: Pick<UserRecord, 'two_factor'>,
): Promise<boolean> {
  if (user.two_factor) return true;
  return (await readPolicy(db)).twoFactor === 'email';
}

/** Idle and absolute session lifetimes in force, in milliseconds. */
export function sessionLimits(
  config: Pick<Config, 'sessionIdleMinutes' | 'sessionMaxHours'>,
  policy: SecurityPolicy,
): { idleMs: number; maxMs: number } {
  const idleMinutes = policy.sessionIdleMinutes ?? config.sessionIdleMinutes;
  const maxHours = policy.sessionMaxHours ?? config.sessionMaxHours;
  return { idleMs: idleMinutes * MINUTE, maxMs: maxHours * 60 * MINUTE };
}
