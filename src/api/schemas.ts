/**
 * The HTTP API's shapes, shared by the server (validation) and the web app
 * (types). Every request body is `.strict()`: a field the API does not know
 * is refused, so no extra flag can ever slip a step or set a role.
 */
import { z } from 'zod';

export const ROLES = ['administrator', 'supervisor', 'user'] as const;
export type Role = (typeof ROLES)[number];

export const USER_STATUSES = ['invited', 'active', 'disabled'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

/** RFC 5321 caps a path at 256 octets, so an address fits in 254. */
const EMAIL_MAX = 254;

/**
 * Exactly one address, given as one string. A list ("a@x, b@x"), a display
 * name ("Ann <a@x>") or an array is refused with a message a person reads.
 */
export const emailField = z
  .string({ error: 'Enter an email address.' })
  .trim()
  .min(1, 'Enter an email address.')
  .max(EMAIL_MAX, 'An email address is at most 254 characters.')
  .pipe(z.email({ error: 'Enter one valid email address, like name@example.com.' }));

const nameField = z
  .string({ error: 'A name must be text.' })
  .trim()
  .max(100, 'A name is at most 100 characters.')
  // Control characters have no place in a name and would corrupt logs.
  .refine((value) => !/[\p{Cc}]/u.test(value), 'A name cannot hold control characters.');

/** Passwords are never trimmed: every character counts (ASVS 2.1.3). */
const passwordField = z.string({ error: 'Enter a password.' }).max(1024);

export const signInBody = z
  .object({
    email: z.string({ error: 'Enter your email address.' }).max(1024),
    password: passwordField,
    next: z.string().max(2048).optional(),
  })
  .strict();

export const codeBody = z
  .object({ code: z.string({ error: 'Enter the security code.' }).max(64) })
  .strict();

export const tokenBody = z
  .object({ token: z.string({ error: 'The link is incomplete.' }).max(256) })
  .strict();

export const personaliseBody = z
  .object({ newPassword: passwordField, confirmPassword: passwordField })
  .strict();

/** My account: the current password proves it is the user (ASVS 2.1.6). */
export const changePasswordBody = z
  .object({
    currentPassword: z.string({ error: 'Enter your current password.' }).max(1024),
    newPassword: passwordField,
    confirmPassword: passwordField,
  })
  .strict();

export const emptyBody = z.object({}).strict();

/** "Forgot your password?": one address, nothing else. */
export const forgotPasswordBody = z.object({ email: emailField }).strict();

/** The reset link's token and the new password, twice. */
export const resetPasswordBody = z
  .object({
    token: z.string({ error: 'The link is incomplete.' }).max(256),
    newPassword: passwordField,
    confirmPassword: passwordField,
  })
  .strict();

/** A session's id in a path; anything else is simply not found. */
export const sessionParams = z.object({ id: z.string().max(100) }).strict();

export const setupBody = z
  .object({
    token: z.string().max(256),
    email: emailField,
    firstName: nameField,
    lastName: nameField,
    password: passwordField,
  })
  .strict();

/** A role named twice counts once, so saving it twice changes nothing. */
const rolesField = z
  .array(z.enum(ROLES, { error: 'Unknown role.' }), { error: 'Choose at least one role.' })
  .min(1, 'Choose at least one role.')
  .max(ROLES.length, 'Choose each role at most once.')
  .transform((roles) => ROLES.filter((role) => roles.includes(role)));

export const createUserBody = z
  .object({
    email: emailField,
    firstName: nameField.default(''),
    lastName: nameField.default(''),
    roles: rolesField,
    twoFactor: z.boolean({ error: 'Two Factor Authentication is on or off.' }),
  })
  .strict();

/** Email is fixed once a user exists; changing it needs its own proof. */
export const updateUserBody = z
  .object({
    firstName: nameField.optional(),
    lastName: nameField.optional(),
    roles: rolesField.optional(),
    twoFactor: z.boolean().optional(),
    status: z.enum(['active', 'disabled']).optional(),
  })
  .strict();

export const listUsersQuery = z
  .object({
    search: z.string().max(200).optional(),
    after: z.string().max(300).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(25),
  })
  .strict();

/**
 * The company's two-factor policy: 'none' leaves it to each user's box,
 * 'email' asks everyone for an emailed code. 'app' comes with
 * authenticator apps.
 */
export const TWO_FACTOR_MODES = ['none', 'email'] as const;
export type TwoFactorMode = (typeof TWO_FACTOR_MODES)[number];

/** Limits as in SESSION_IDLE_MINUTES and SESSION_MAX_HOURS; null: those. */
const IDLE_WORDS = 'Use a whole number of minutes from 1 to 1440, or leave it empty.';
const HOURS_WORDS = 'Use a whole number of hours from 1 to 720, or leave it empty.';

export const securitySettingsBody = z
  .object({
    twoFactor: z.enum(TWO_FACTOR_MODES, { error: 'Choose No MFA or Email MFA.' }),
    sessionIdleMinutes: z
      .number({ error: IDLE_WORDS })
      .int(IDLE_WORDS)
      .min(1, IDLE_WORDS)
      .max(24 * 60, IDLE_WORDS)
      .nullable(),
    sessionMaxHours: z
      .number({ error: HOURS_WORDS })
      .int(HOURS_WORDS)
      .min(1, HOURS_WORDS)
      .max(30 * 24, HOURS_WORDS)
      .nullable(),
  })
  .strict();

export const securityImpactQuery = z
  .object({
    twoFactor: z.enum(TWO_FACTOR_MODES, { error: 'Choose No MFA or Email MFA.' }),
  })
  .strict();

export type SecuritySettingsBody = z.infer<typeof securitySettingsBody>;

/** A day as the browser's date input gives it, read as UTC. */
const dayField = z.iso.date({ error: 'Enter a date like 2026-12-31.' });

/** Settings > Security Log: filters of the CSV export and of the page. */
export const auditFiltersQuery = z
  .object({
    user: z.string().trim().max(254).optional(),
    event: z.string().max(64).optional(),
    from: dayField.optional(),
    to: dayField.optional(),
  })
  .strict();

/** One page of the Security Log: `before` is the last page's cursor. */
export const auditEventsQuery = auditFiltersQuery
  .extend({
    before: z.coerce.number().int().min(1).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
  })
  .strict();

export type AuditFilters = z.infer<typeof auditFiltersQuery>;

export type SignInBody = z.infer<typeof signInBody>;
export type CreateUserBody = z.input<typeof createUserBody>;
export type UpdateUserBody = z.infer<typeof updateUserBody>;

/** The same words whether or not the address has an account. */
export interface ForgotPasswordResult {
  message: string;
}

/** Where a browser is in the sign-in journey. */
export type SignInStep = 'code' | 'personalise' | 'home';

export interface SignInResult {
  step: SignInStep;
  /** A same-origin path to go to next. */
  redirect: string;
}

export interface CodeStatus {
  /** ISO time when "Send a new code" may be used again. */
  resendAvailableAt: string;
  codeExpiresAt: string;
  /** The address the code went to, partly hidden. */
  sentTo: string;
}

export interface Me {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  roles: Role[];
}

/** One of the signed-in user's own sessions, as My account lists it. */
export interface AccountSession {
  /** The session's row id, never its token or the token's hash. */
  id: string;
  /** From the user agent, e.g. "Chrome 140" and "Linux". */
  browser: string;
  system: string;
  address: string | null;
  startedAt: string;
  lastActiveAt: string;
  /** The session of the browser asking. */
  current: boolean;
}

export interface AccountSessions {
  sessions: AccountSession[];
}

/** Settings > Security as the form shows it. */
export interface SecuritySettings extends SecuritySettingsBody {
  /** What applies when a lifetime is left empty (the environment's). */
  defaults: { sessionIdleMinutes: number; sessionMaxHours: number };
}

/** Who a change of two-factor mode would touch. */
export interface SecurityImpact {
  /** Users (not disabled) whose next sign-in would change. */
  affectedUsers: number;
  /** Invited users: their address is not proved yet (first 100). */
  withoutConfirmedEmail: { id: string; name: string; email: string }[];
  withoutConfirmedEmailTotal: number;
}

export type InvitationDelivery = 'sent' | 'queued' | 'retrying' | null;

export interface UserRow {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  roles: Role[];
  twoFactor: boolean;
  status: UserStatus;
  lastSignInAt: string | null;
  createdAt: string;
  /** For invited users: whether the latest invitation email has left. */
  invitationDelivery: InvitationDelivery;
  invitationExpiresAt: string | null;
  /** Invited, and the latest link ran out unused: "Expired" in the list. */
  invitationExpired: boolean;
}

/** What "Sign out everywhere" ended. */
export interface SessionsEnded {
  sessions: number;
}

/** Someone in an audit event, as they were when it happened. */
export interface AuditPerson {
  /** The user may have been deleted since; null when there was none. */
  id: string | null;
  email: string | null;
  name: string | null;
}

export interface AuditEventRow {
  id: number;
  /** ISO time, UTC. */
  at: string;
  event: string;
  actor: AuditPerson | null;
  target: AuditPerson | null;
  ip: string | null;
  detail: Record<string, unknown> | null;
}

export interface AuditEventPage {
  events: AuditEventRow[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextCursor: number | null;
}

/** An event kind the Security Log can filter by. */
export interface AuditEventKind {
  event: string;
  label: string;
}

export interface UserPage {
  users: UserRow[];
  /** Pass as `after` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface MailboxMessage {
  id: string;
  receivedAt: string;
  to: string;
  from: string;
  subject: string;
  text: string;
}

/** Every error answer has this body. */
export interface ApiError {
  code: string;
  message: string;
  /** Field name → message, for form errors. */
  fields?: Record<string, string>;
  /** Seconds, on 429 answers. */
  retryAfter?: number;
}
