/**
 * Settings > Security: what an administrator sees and changes of the
 * company's policy, and who a change of two-factor mode would touch. Every
 * function takes an administrator already checked by the HTTP gate.
 */
import type {
  SecurityImpact,
  SecuritySettings,
  SecuritySettingsBody,
  TwoFactorMode,
} from '../../api/schemas.ts';
import { recordAudit } from '../audit/audit.ts';
import type { DomainContext, RequestMeta } from '../auth/context.ts';
import { displayName, type UserRecord } from '../users/user.ts';
import { readPolicy, type SecurityPolicy } from './policy.ts';
import { inTransaction } from '../db/transaction.ts';

/** How many not-yet-confirmed users the impact preview names. */
const NAMED_AT_MOST = 100;

const FIELDS = ['twoFactor', 'sessionIdleMinutes', 'sessionMaxHours'] as const;

/** The policy with the environment's defaults it falls back on. */
export async function getSecuritySettings(
  ctx: DomainContext,
): Promise<SecuritySettings> {
  return withDefaults(ctx, await readPolicy(ctx.db));
}

function withDefaults(
  ctx: DomainContext,
  policy: SecurityPolicy,
): SecuritySettings {
  return {
    ...policy,
    defaults: {
      sessionIdleMinutes: ctx.config.sessionIdleMinutes,
      sessionMaxHours: ctx.config.sessionMaxHours,
    },
  };
}

/**
 * Saves the policy and audits what changed (`policy.changed`, from and
 * to). Every request reads the policy anew, so new lifetimes bite on open
 * sessions at their next request, and Email MFA asks for a code at each
 * user's next sign-in; half-done sign-ins start over.
 *
 * Sessions already open are deliberately left running when Email MFA is
 * switched on (ASVS 7.4.3 asks only to offer ending them): ending them
 * would also sign out the administrator saving the change, and each one
 * still ends within the session lifetimes. "Sign out everywhere" on a
 * user ends theirs at once where that matters.
 */
export async function changeSecuritySettings(
  ctx: DomainContext,
  admin: UserRecord,
  input: SecuritySettingsBody,
  meta: RequestMeta,
): Promise<SecuritySettings> {
  const saved = await inTransaction(ctx.db, async (trx) => {
    const before = await readPolicy(trx);
    const from: Partial<SecurityPolicy> = {};
    const to: Partial<SecurityPolicy> = {};
    for (const key of FIELDS) {
      if (before[key] === input[key]) continue;
      Object.assign(from, { [key]: before[key] });
      Object.assign(to, { [key]: input[key] });
    }
    if (Object.keys(to).length === 0) return before;

    const now = ctx.clock();
    await trx
      .updateTable('settings')
      .set({
        two_factor_mode: input.twoFactor,
        session_idle_minutes: input.sessionIdleMinutes,
        session_max_hours: input.sessionMaxHours,
        updated_at: now.toISOString(),
        updated_by: admin.id,
      })
      .where('id', '=', 1)
      .execute();
    // A sign-in half-way through (say, an invitation opened a moment ago
    // with no code asked) started under the old rule: it starts over.
    if (to.twoFactor === 'email') {
      await trx.deleteFrom('pending_sign_ins').execute();
    }
    await recordAudit(trx, now, {
      event: 'policy.changed',
      actor: admin,
      ip: meta.ip,
      detail: { from, to },
    });
    return { ...input };
  });

  return withDefaults(ctx, saved);
}

/**
 * Who switching to `mode` would touch: how many users' next sign-in would
 * change, and which users have not proved their address yet (still
 * Invited), since with Email MFA their address is what they sign in with.
 */
export async function twoFactorImpact(
  ctx: DomainContext,
  mode: TwoFactorMode,
): Promise<SecurityImpact> {
  const current = await readPolicy(ctx.db);

  // Between No MFA and Email MFA only users without their own box ticked
  // see a difference; disabled users cannot sign in either way.
  const affected =
    mode === current.twoFactor
      ? 0
      : await ctx.db
          .selectFrom('users')
          .select((eb) => eb.fn.countAll<number>().as('count'))
          .where('two_factor', '=', 0)
          .where('status', '!=', 'disabled')
          .executeTakeFirstOrThrow()
          .then((row) => Number(row.count));

  if (mode !== 'email') {
    return {
      affectedUsers: affected,
      withoutConfirmedEmail: [],
      withoutConfirmedEmailTotal: 0,
    };
  }

  const invited = ctx.db.selectFrom('users').where('status', '=', 'invited');
  const total = await invited
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  const named = await invited
    .selectAll()
    .orderBy('email_normalized')
    .limit(NAMED_AT_MOST)
    .execute();

  return {
    affectedUsers: affected,
    withoutConfirmedEmail: named.map((user) => ({
      id: user.id,
      name: displayName(user),
      email: user.email,
    })),
    withoutConfirmedEmailTotal: Number(total.count),
  };
}
