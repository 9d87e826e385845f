/** The role checkboxes, grouped under one legend with one error. */
import { useId } from 'react';
import type { Role } from '../../../api/schemas.ts';
import { FieldError } from '../../components/Field.tsx';
import { ROLE_LABELS, ROLE_ORDER } from '../../format.ts';
import { sortRoles } from './userForm.ts';

interface RolesFieldsetProps {
  roles: Role[];
  error: string | undefined;
  onChange: (roles: Role[]) => void;
}

/** The "Roles" fieldset of checkboxes. */
export function RolesFieldset({ roles, error, onChange }: RolesFieldsetProps) {
  const id = useId();
  const errorId = `${id}-error`;

  function toggle(role: Role, checked: boolean) {
    const others = roles.filter((held) => held !== role);
    onChange(sortRoles(checked ? [...others, role] : others));
  }

  return (
    <fieldset
      className={error === undefined ? 'fieldset' : 'fieldset field-invalid'}
      aria-describedby={error === undefined ? undefined : errorId}
    >
      <legend>Roles</legend>
      {error !== undefined && <FieldError id={errorId} message={error} />}
      {ROLE_ORDER.map((role) => (
        <div className="check" key={role}>
          <input
            id={`${id}-${role}`}
            type="checkbox"
            checked={roles.includes(role)}
            aria-invalid={error === undefined ? undefined : true}
            onChange={(event) => toggle(role, event.target.checked)}
          />
          <label htmlFor={`${id}-${role}`}>{ROLE_LABELS[role]}</label>
        </div>
      ))}
    </fieldset>
  );
}
