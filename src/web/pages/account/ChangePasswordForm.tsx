/**
 * My account > Change password. The current password proves it is the
 * user; the new one meets the same rules, with the same help, as the
 * first one they chose.
 */
import { useRef, useState, type FormEvent } from 'react';
import { api, toApiError } from '../../api.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { Field } from '../../components/Field.tsx';
import { useMe } from '../../components/MeContext.ts';
import {
  NewPasswordPair,
  NO_NEW_PASSWORDS,
} from '../../components/NewPasswordPair.tsx';
import { StatusMessage } from '../../components/StatusMessage.tsx';
import { useFocusOnError } from '../../hooks/useFocusOnError.ts';
import { useFormFailure } from '../../hooks/useFormFailure.ts';

interface ChangePasswordFormProps {
  onChanged: () => void;
}

/** The "Change password" section. */
export function ChangePasswordForm({ onChanged }: ChangePasswordFormProps) {
  const me = useMe();
  const [currentPassword, setCurrentPassword] = useState('');
  const [passwords, setPasswords] = useState(NO_NEW_PASSWORDS);
  const [shown, setShown] = useState(false);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  const { failure, message, fields, fail, clear, clearField } =
    useFormFailure();
  const form = useRef<HTMLFormElement>(null);
  const alert = useRef<HTMLDivElement>(null);
  useFocusOnError(failure, form, alert);

  async function change(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setStatus(null);

    try {
      await api.post('/api/account/password', {
        currentPassword,
        ...passwords,
      });
      setCurrentPassword('');
      setPasswords(NO_NEW_PASSWORDS);
      clear();
      setStatus(
        'Your password was changed. Your other sessions were signed out.',
      );
      onChanged();
    } catch (caught) {
      fail(toApiError(caught));
    } finally {
      setBusy(false);
    }
  }

  const inputType = shown ? 'text' : 'password';

  return (
    <section aria-labelledby="change-password-heading" className="account-section">
      <h2 id="change-password-heading">Change password</h2>
      <p>Changing your password signs you out everywhere else.</p>
      <StatusMessage message={status} />
      <ErrorAlert ref={alert} message={message} />
      <form ref={form} onSubmit={change} noValidate>
        {/* Tells a password manager whose password this form changes. */}
        <input
          type="email"
          name="username"
          autoComplete="username"
          value={me.email}
          readOnly
          hidden
        />
        <Field
          label="Current password"
          name="currentPassword"
          type={inputType}
          autoComplete="current-password"
          required
          value={currentPassword}
          onChange={(event) => {
            setCurrentPassword(event.target.value);
            clearField('currentPassword');
          }}
          error={fields.currentPassword}
        />
        <NewPasswordPair
          value={passwords}
          onChange={setPasswords}
          errors={fields}
          onEdit={clearField}
          shown={shown}
          onShownChange={setShown}
          userInputs={[me.email, me.firstName, me.lastName]}
          confirmLabel="Confirm new password"
        />
        <button type="submit" className="button-primary">
          Change password
        </button>
      </form>
    </section>
  );
}
