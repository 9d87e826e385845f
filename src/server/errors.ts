/**
 * The error catalogue: every refusal Callvault gives, with the HTTP status
 * and the words a person reads. Domain code throws `AppError` by code; the
 * HTTP layer turns it into `{ code, message, fields?, retryAfter? }`.
 */

export const ERRORS = {
  BAD_REQUEST: [400, 'The request could not be read.'],
  VALIDATION: [400, 'Some fields need your attention.'],
  UNKNOWN_FIELD: [400, 'The request holds a field Callvault does not accept.'],
  // One answer for unknown email, wrong password, disabled and invited
  // users, so that the answer never says which (ASVS 2.2.1, 6.3.8).
  SIGN_IN_FAILED: [401, 'That email and password do not match an account.'],
  SIGN_IN_REQUIRED: [401, 'Please sign in.'],
  CODE_REQUIRED: [401, 'Enter the security code we emailed you first.'],
  PASSWORD_REQUIRED: [401, 'Choose your password first.'],
  CODE_WRONG: [400, 'That security code is not right. Check the latest email.'],
  CODE_EXPIRED: [
    400,
    'That security code has expired. Use "Send a new code" to get another.',
  ],
  CODE_TRIES_USED: [
    401,
    'Too many wrong codes for this sign-in. Please sign in again.',
  ],
  CODE_BUDGET_USED: [
    429,
    'Too many wrong security codes for this account. Try again later.',
  ],
  CODE_RESEND_WAIT: [429, 'Please wait before asking for another code.'],
  CODE_SEND_LIMIT: [
    429,
    'Too many security codes were sent to this account. Try again later.',
  ],
  LINK_INVALID: [
    400,
    'This link has already been used, was replaced by a newer one or has ' +
      'expired. Ask your administrator to send a new invitation.',
  ],
  INVITATION_EXPIRED: [
    400,
    'This invitation has expired: invitation links work for 72 hours. Ask ' +
      'your administrator to send you a new invitation.',
  ],
  RESET_LINK_INVALID: [
    400,
    'This password reset link has already been used, was replaced by a ' +
      'newer one or has expired. Use "Forgot your password?" to get another.',
  ],
  RESET_NEEDS_ACTIVE: [
    409,
    'Only an active user can be sent a password reset. Resend an invited ' +
      "user's invitation, or set a disabled user to Active first.",
  ],
  SETUP_INVALID: [
    400,
    'This setup link has been used or has expired. Restart Callvault to ' +
      'print a new one.',
  ],
  SETUP_DONE: [409, 'Callvault already has an administrator.'],
  PASSWORD_REJECTED: [400, 'Choose a different password.'],
  FORBIDDEN: [403, 'You do not have permission to do that.'],
  CROSS_ORIGIN: [403, 'Requests from other sites are refused.'],
  NOT_FOUND: [404, 'Not found.'],
  USER_NOT_FOUND: [404, 'There is no such user.'],
  // Also another user's session: whether such an id exists is not said.
  SESSION_NOT_FOUND: [404, 'There is no such session; it may have ended already.'],
  PASSWORD_CHANGE_LIMIT: [
    429,
    'Too many wrong current passwords for this account. Try again later.',
  ],
  EMAIL_TAKEN: [409, 'A user with this email address already exists.'],
  LAST_ADMINISTRATOR: [
    409,
    'Callvault needs at least one active administrator. Make someone else ' +
      'an administrator first.',
  ],
  CANNOT_DELETE_SELF: [
    409,
    'You cannot delete your own account. Ask another administrator to ' +
      'delete it.',
  ],
  MAILBOX_LOCAL_ONLY: [
    403,
    'The mailbox can only be read in a browser on the machine that runs ' +
      'Callvault.',
  ],
  NOT_INVITED: [409, 'This user has already accepted their invitation.'],
  USER_DISABLED: [
    409,
    'This user is disabled. Set their status to Active before sending a ' +
      'new invitation.',
  ],
  TOO_LARGE: [413, 'The request is too large.'],
  HEADERS_TOO_LARGE: [431, 'The request headers (cookies, perhaps) are too large.'],
  UNSUPPORTED_MEDIA: [415, 'Send the request as JSON.'],
  TOO_MANY_REQUESTS: [429, 'Too many requests. Please wait and try again.'],
  TOO_MANY_ATTEMPTS: [429, 'Too many failed sign-ins. Please wait and try again.'],
  ATTEMPTS_STOPPED: [
    429,
    'Stopped after too many failed attempts. Use "Forgot your password?" ' +
      'or ask your administrator.',
  ],
  UNAVAILABLE: [503, 'Callvault cannot reach its database. Try again shortly.'],
  // The database is down or unreachable: nothing was changed, and the
  // request can simply be sent again once it is back.
  DATABASE_UNAVAILABLE: [
    503,
    'Callvault cannot reach its database just now. Nothing was changed; ' +
      'please try again in a moment.',
  ],
  // Other requests kept changing the same rows and every run of this one
  // was refused (PostgreSQL's SERIALIZABLE): nothing was changed.
  DATABASE_BUSY: [
    503,
    'Callvault is busy with other changes to the same data. Nothing was ' +
      'changed; please try again in a moment.',
  ],
  INTERNAL: [500, 'Something went wrong on our side. Please try again.'],
} as const satisfies Record<string, readonly [number, string]>;

export type ErrorCode = keyof typeof ERRORS;

export interface ErrorExtras {
  /** Field name → message to show next to that field. */
  fields?: Record<string, string>;
  /** Seconds before trying again makes sense (429, 503). */
  retryAfter?: number;
  /** Replaces the catalogue message when the detail helps the person. */
  message?: string;
}

/** A refusal from the catalogue. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly fields?: Record<string, string>;
  readonly retryAfter?: number;

  constructor(code: ErrorCode, extras: ErrorExtras = {}) {
    super(extras.message ?? ERRORS[code][1]);
    this.code = code;
    this.status = ERRORS[code][0];
    this.fields = extras.fields;
    this.retryAfter = extras.retryAfter;
  }
}

/** Shorthand for a form error on one field. */
export function fieldError(field: string, message: string): AppError {
  return new AppError('VALIDATION', { fields: { [field]: message } });
}
