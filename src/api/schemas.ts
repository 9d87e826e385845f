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

export type SignInBody = z.infer<typeof signInBody>;
export type CreateUserBody = z.input<typeof createUserBody>;
export type UpdateUserBody = z.infer<typeof updateUserBody>;

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
