/**
 * A new user replaces the one-time invitation with a password of their
 * own before they reach Home. The server checks the rules; the page
 * explains them and hints at strength while typing.
 */
import { useRef, useState, type FormEvent } from 'react';
import type { SignInResult } from '../../api/schemas.ts';
import { api, followRedirect, toApiError, type ApiError } from '../api.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { Field } from '../components/Field.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { PasswordRules } from '../components/PasswordRules.tsx';
import { PasswordStrength } from '../components/PasswordStrength.tsx';
import { PublicLayout } from '../components/PublicLayout.tsx';
import { ShowPasswordToggle } from '../components/ShowPasswordToggle.tsx';
import { SignOutButton } from '../components/SignOutButton.tsx';
import { useFocusOnError } from '../hooks/useFocusOnError.ts';

/** The pending sign-in cannot read the user's details; none to compare. */
const NO_USER_INPUTS: string[] = [];

/** /personalise-password: the new user's own password. */
export function PersonalisePasswordPage() {
  const [newPassword, setNewPassword] = useState('');
  const [confirmPassword, setConfirmPassword] = useState('');
  const [shown, setShown] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const form = useRef<HTMLFormElement>(null);
  const alert = useRef<HTMLDivElement>(null);
  useFocusOnError(failure, form, alert);

  async function save(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);

    try {
      const result = await api.post<SignInResult>(
        '/api/password/personalise',
        { newPassword, confirmPassword },
      );
      followRedirect(result.redirect);
    } catch (caught) {
      setFailure(toApiError(caught));
      setBusy(false);
    }
  }

  const inputType = shown ? 'text' : 'password';

  return (
    <PublicLayout>
      <PageHeading>Choose your password</PageHeading>
      <p>You will use it with your email address to sign in.</p>
      <PasswordRules />
      <ErrorAlert ref={alert} message={failure?.message} />
      <form ref={form} onSubmit={save} noValidate>
        <Field
          label="New password"
          name="newPassword"
          type={inputType}
          autoComplete="new-password"
          required
          value={newPassword}
          onChange={(event) => setNewPassword(event.target.value)}
          error={failure?.fields.newPassword}
          describedBy="password-strength"
        />
        <PasswordStrength
          id="password-strength"
          password={newPassword}
          userInputs={NO_USER_INPUTS}
        />
        <Field
          label="Confirm password"
          name="confirmPassword"
          type={inputType}
          autoComplete="new-password"
          required
          value={confirmPassword}
          onChange={(event) => setConfirmPassword(event.target.value)}
          error={failure?.fields.confirmPassword}
        />
        <ShowPasswordToggle checked={shown} onChange={setShown} />
        <button type="submit" className="button-primary">
          Save password
        </button>
      </form>
      <div className="page-footer-actions">
        <SignOutButton />
      </div>
    </PublicLayout>
  );
}
