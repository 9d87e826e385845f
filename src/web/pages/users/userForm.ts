/** The user form's values, and what the API is sent from them. */
import type {
  CreateUserBody,
  Role,
  UpdateUserBody,
  UserRow,
  UserStatus,
} from '../../../api/schemas.ts';
import { ROLE_ORDER } from '../../format.ts';

export interface UserFormValues {
  email: string;
  firstName: string;
  lastName: string;
  roles: Role[];
  twoFactor: boolean;
  status: UserStatus;
}

/** A new user starts as a plain user; an administrator widens it. */
export const NEW_USER: UserFormValues = {
  email: '',
  firstName: '',
  lastName: '',
  roles: ['user'],
  twoFactor: false,
  status: 'invited',
};

/** The form's starting values for an existing user. */
export function valuesOf(user: UserRow): UserFormValues {
  return {
    email: user.email,
    firstName: user.firstName,
    lastName: user.lastName,
    roles: sortRoles(user.roles),
    twoFactor: user.twoFactor,
    status: user.status,
  };
}

/** Roles in the usual order, so that comparing them ignores order. */
export function sortRoles(roles: readonly Role[]): Role[] {
  return ROLE_ORDER.filter((role) => roles.includes(role));
}

/** The POST /api/users body for a new user. */
export function createBody(values: UserFormValues): CreateUserBody {
  return {
    email: values.email,
    firstName: values.firstName,
    lastName: values.lastName,
    roles: values.roles,
    twoFactor: values.twoFactor,
  };
}

/**
 * Only what changed: each of roles, two-factor and status ends the user's
 * sessions, so resending an unchanged value must not look like a change.
 */
export function updateBody(
  loaded: UserFormValues,
  values: UserFormValues,
): UpdateUserBody {
  const body: UpdateUserBody = {};
  if (values.firstName !== loaded.firstName) body.firstName = values.firstName;
  if (values.lastName !== loaded.lastName) body.lastName = values.lastName;
  if (!sameRoles(values.roles, loaded.roles)) body.roles = values.roles;
  if (values.twoFactor !== loaded.twoFactor) body.twoFactor = values.twoFactor;
  if (values.status !== loaded.status && values.status !== 'invited') {
    body.status = values.status;
  }
  return body;
}

/** Whether saving would sign the user out everywhere (DESIGN.md). */
export function endsSessions(
  loaded: UserFormValues,
  values: UserFormValues,
): boolean {
  return (
    !sameRoles(values.roles, loaded.roles) ||
    values.twoFactor !== loaded.twoFactor ||
    values.status !== loaded.status
  );
}

function sameRoles(a: readonly Role[], b: readonly Role[]): boolean {
  const sortedA = sortRoles(a);
  const sortedB = sortRoles(b);
  return (
    sortedA.length === sortedB.length &&
    sortedA.every((role, index) => role === sortedB[index])
  );
}
