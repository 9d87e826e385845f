/**
 * The Security Log in words people read: a label for each audit event and
 * its details as a sentence. Shared by the page and the CSV export, so
 * both say the same thing.
 */

/** Labels of the events Callvault records; others are worded by rule. */
const EVENT_LABELS: Record<string, string> = {
  'setup.completed': 'First administrator set up',
  'sign_in.succeeded': 'Signed in',
  'sign_in.failed': 'Sign-in failed',
  sign_out: 'Signed out',
  'code.sent': 'Security code sent',
  'code.failed': 'Wrong security code',
  'code.accepted': 'Security code accepted',
  'invitation.sent': 'Invitation sent',
  'invitation.accepted': 'Invitation accepted',
  'invitation.refused': 'Invitation link refused',
  'password.personalised': 'Password chosen',
  'user.created': 'User added',
  'user.updated': 'User changed',
  'user.deleted': 'User deleted',
  'sessions.ended': 'Sessions ended',
  'access.denied': 'Access refused',
  'audit.exported': 'Security Log exported',
};

/** "Sign-in failed" for "sign_in.failed"; "Policy changed" for others. */
export function eventLabel(event: string): string {
  const known = EVENT_LABELS[event];
  if (known !== undefined) return known;

  const words = event.replace(/[._]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const SIGN_IN_REASONS: Record<string, string> = {
  unknown_email: 'No user has this email address',
  wrong_password: 'Wrong password',
  disabled: 'The user is disabled',
  invited: 'The user has not accepted their invitation yet',
};

const FIELD_LABELS: Record<string, string> = {
  firstName: 'First name',
  lastName: 'Last name',
  roles: 'Roles',
  twoFactor: 'Two-factor',
  status: 'Status',
  sessionIdleMinutes: 'Be idle for (minutes)',
  sessionMaxHours: 'Session lifetime (hours)',
};

/** Two-factor modes of the company policy, as Settings > Security says. */
const MODE_WORDS: Record<string, string> = {
  none: 'No MFA',
  email: 'Email MFA',
  app: 'App MFA',
};

/** A stored value as a person reads it: lists joined, flags on or off. */
function valueWords(value: unknown): string {
  if (value === null || value === undefined || value === '') return '(none)';
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (Array.isArray(value)) return value.map(valueWords).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  const text = String(value);
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function changeWords(changes: unknown): string {
  if (typeof changes !== 'object' || changes === null) return '';
  return Object.entries(changes as Record<string, { from?: unknown; to?: unknown }>)
    .map(([field, change]) => {
      const label = FIELD_LABELS[field] ?? field;
      return `${label}: ${valueWords(change?.from)} → ${valueWords(change?.to)}`;
    })
    .join('; ');
}

/** One sentence per detail an event carries, in a fixed order. */
export function detailWords(
  event: string,
  detail: Record<string, unknown> | null,
): string {
  if (detail === null) return '';
  const parts: string[] = [];
  const rest = { ...detail };
  const take = (key: string) => {
    const value = rest[key];
    delete rest[key];
    return value;
  };

  const reason = take('reason');
  const email = take('email');
  if (event === 'sign_in.failed') {
    if (typeof reason === 'string') {
      parts.push(SIGN_IN_REASONS[reason] ?? valueWords(reason));
    }
    if (email !== undefined) parts.push(`Email typed: ${String(email)}`);
  } else {
    if (reason !== undefined) parts.push(`Reason: ${String(reason)}`);
    if (email !== undefined) parts.push(`Email: ${String(email)}`);
  }

  const via = take('via');
  if (via === 'password') parts.push('With a password');
  else if (via === 'invitation') parts.push('With an invitation link');
  else if (via !== undefined) parts.push(`Via ${String(via)}`);

  const twoFactor = take('twoFactor');
  if (twoFactor !== undefined) parts.push(`Two-factor ${valueWords(twoFactor)}`);

  const name = take('name');
  if (name !== undefined) parts.push(`Name: ${String(name)}`);
  const roles = take('roles');
  if (roles !== undefined) parts.push(`Roles: ${valueWords(roles)}`);
  const status = take('status');
  if (status !== undefined) parts.push(`Status: ${valueWords(status)}`);

  const changes = take('changes');
  if (changes !== undefined) parts.push(changeWords(changes));

  const sessions = take('sessions');
  if (typeof sessions === 'number') {
    parts.push(sessions === 1 ? '1 session ended' : `${sessions} sessions ended`);
  }
  if (take('resend') === true) parts.push('A new link; older links no longer work');
  const discarded = take('mailDiscarded');
  if (typeof discarded === 'number' && discarded > 0) {
    parts.push(`${discarded} unsent email${discarded === 1 ? '' : 's'} discarded`);
  }

  const method = take('method');
  const route = take('route');
  if (method !== undefined || route !== undefined) {
    parts.push(`Asked for ${String(method ?? '')} ${String(route ?? '')}`.trim());
  }

  // A policy change: { from: { field: old }, to: { field: new } }.
  if (isRecord(rest.from) && isRecord(rest.to)) {
    const before = take('from') as Record<string, unknown>;
    const after = take('to') as Record<string, unknown>;
    const mode = (value: unknown) =>
      typeof value === 'string' ? (MODE_WORDS[value] ?? value) : value;
    const changes = Object.fromEntries(
      Object.keys(after).map((field) => [
        field,
        field === 'twoFactor'
          ? { from: mode(before[field]), to: mode(after[field]) }
          : { from: before[field], to: after[field] },
      ]),
    );
    parts.push(changeWords(changes));
  }

  const from = take('from');
  if (from === 'ADMIN_EMAIL') parts.push('From ADMIN_EMAIL at start-up');
  else if (from !== undefined) parts.push(`From ${String(from)}`);

  const filters = take('filters');
  if (typeof filters === 'object' && filters !== null) {
    const set = Object.entries(filters)
      .filter(([, value]) => value)
      .map(([key, value]) => `${key} ${String(value)}`);
    parts.push(set.length === 0 ? 'Everything' : `Filtered by ${set.join(', ')}`);
  }

  for (const [key, value] of Object.entries(rest)) {
    parts.push(`${key}: ${valueWords(value)}`);
  }
  return parts.filter((part) => part !== '').join('. ');
}
