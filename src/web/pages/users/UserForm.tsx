/**
 * The user form: email, names, roles, two-factor and, for users past
 * their invitation, status. Saving creates (POST) or changes (PATCH).
 */
import { useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import type { UserRow } from '../../../api/schemas.ts';
import { api, toApiError } from '../../api.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { Field } from '../../components/Field.tsx';
import { StatusMessage } from '../../components/StatusMessage.tsx';
import { useFocusOnError } from '../../hooks/useFocusOnError.ts';
import { useFormFailure } from '../../hooks/useFormFailure.ts';
import type { NoticeState } from '../../notice.ts';
import { useSecuritySettings } from '../settings/useSecuritySettings.ts';
import { RolesFieldset } from './RolesFieldset.tsx';
import { StatusFieldset } from './StatusFieldset.tsx';
import { TwoFactorCheckbox } from './TwoFactorCheckbox.tsx';
import {
  createBody,
  endsSessions,
  updateBody,
  type UserFormValues,
} from './userForm.ts';

interface UserFormProps {
  /** Undefined for a new user. */
  userId: string | undefined;
  loaded: UserFormValues;
  /** How the edited user is called in the sign-out notice. */
  name?: string;
}

/** The form for a new (`userId` undefined) or existing user. */
export function UserForm({ userId, loaded, name }: UserFormProps) {
  const navigate = useNavigate();
  const [values, setValues] = useState(loaded);
  const [busy, setBusy] = useState(false);
  const { failure, message, fields, fail, clearField } = useFormFailure();
  const form = useRef<HTMLFormElement>(null);
  const alert = useRef<HTMLDivElement>(null);
  useFocusOnError(failure, form, alert);

  // Only shown: the user's own choice is saved as it is, and applies again
  // if the company goes back to No MFA.
  const policy = useSecuritySettings();
  const isNew = userId === undefined;
  const signsOut = !isNew && endsSessions(loaded, values);

  function change(next: Partial<UserFormValues>) {
    setValues((shown) => ({ ...shown, ...next }));
    for (const name of Object.keys(next)) clearField(name);
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);

    try {
      const notice = await submit();
      const state: NoticeState = { notice };
      navigate('/settings/users', { state });
    } catch (caught) {
      fail(toApiError(caught));
      setBusy(false);
    }
  }

  /** Saves the form; answers with the line the user list will show. */
  async function submit(): Promise<string> {
    if (userId === undefined) {
      const body = createBody(values);
      const created = await api.post<UserRow>('/api/users', body);
      return `Invitation sent to ${created.email}`;
    }

    const path = `/api/users/${encodeURIComponent(userId)}`;
    await api.patch<UserRow>(path, updateBody(loaded, values));
    return 'Changes saved';
  }

  return (
    <>
      <ErrorAlert ref={alert} message={message} />
      <form ref={form} onSubmit={save} noValidate>
        <Field
          label="Email"
          name="email"
          type="email"
          autoComplete="off"
          required
          readOnly={!isNew}
          hint={isNew ? undefined : 'An email address cannot be changed.'}
          value={values.email}
          onChange={(event) => change({ email: event.target.value })}
          error={fields.email}
        />
        <Field
          label="First name"
          name="firstName"
          autoComplete="off"
          value={values.firstName}
          onChange={(event) => change({ firstName: event.target.value })}
          error={fields.firstName}
        />
        <Field
          label="Last name"
          name="lastName"
          autoComplete="off"
          value={values.lastName}
          onChange={(event) => change({ lastName: event.target.value })}
          error={fields.lastName}
        />
        <RolesFieldset
          roles={values.roles}
          error={fields.roles}
          onChange={(roles) => change({ roles })}
        />
        <TwoFactorCheckbox
          checked={values.twoFactor}
          forcedByPolicy={policy.settings?.twoFactor === 'email'}
          error={fields.twoFactor}
          onChange={(twoFactor) => change({ twoFactor })}
        />
        {!isNew && values.status !== 'invited' && (
          <StatusFieldset
            status={values.status}
            error={fields.status}
            onChange={(status) => change({ status })}
          />
        )}
        <StatusMessage
          tone="warning"
          message={
            signsOut
              ? `Saving will sign ${name} out of Callvault on every device.`
              : null
          }
        />
        <div className="form-actions">
          <button type="submit" className="button-primary">
            Save
          </button>
          <Link to="/settings/users">Cancel</Link>
        </div>
      </form>
    </>
  );
}
