/** How people, roles and times read on Callvault's pages. */
import type { Role } from '../api/schemas.ts';

/** The roles in the order pages list them, most powerful first. */
export const ROLE_ORDER: readonly Role[] = [
  'administrator',
  'supervisor',
  'user',
];

export const ROLE_LABELS: Record<Role, string> = {
  administrator: 'Administrator',
  supervisor: 'Supervisor',
  user: 'User',
};

interface Person {
  email: string;
  firstName: string;
  lastName: string;
}

/** "Ann Lee", or the email address when no name was given. */
export function displayName(person: Person): string {
  const name = `${person.firstName} ${person.lastName}`.trim();
  return name === '' ? person.email : name;
}

/** "Administrator, User", in the usual order whatever the input order. */
export function formatRoles(roles: readonly Role[]): string {
  return ROLE_ORDER.filter((role) => roles.includes(role))
    .map((role) => ROLE_LABELS[role])
    .join(', ');
}

const dateTime = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeStyle: 'short',
});

/** A moment in the reader's own locale and time zone. */
export function formatDateTime(iso: string): string {
  return dateTime.format(new Date(iso));
}
