/**
 * A new user replaces the one-time invitation with a password of their
 * own before they reach Home. The server checks the rules; the page
 * explains them and hints at strength while typing.
 */
import { useRef, useState, type FormEvent } from 'react';
import type { SignInResult } from '../../api/schemas.ts';
import { api, followRedirect, toApiError } from '../api.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import {
  NewPasswordPair,
  NO_NEW_PASSWORDS,
} from '../components/NewPasswordPair.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { PublicLayout } from '../components/PublicLayout.tsx';
import { SignOutButton } from '../components/SignOutButton.tsx';
import { useFocusOnError } from '../hooks/useFocusOnError.ts';
import { useFormFailure } from '../hooks/useFormFailure.ts';

/** The pending sign-in cannot read the user's details; none to compare. */
const NO_USER_INPUTS: string[] = [];

/** /personalise-password: the new user's own password. */
export function PersonalisePasswordPage() {
  const [passwords, setPasswords] = useState(NO_NEW_PASSWORDS);
  const [shown, setShown] = useState(false);
  const [busy, setBusy] = useState(false);
  const { failure, message, fields, fail, clearField } = useFormFailure();
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
        passwords,
      );
      followRedirect(result.redirect);
    } catch (caught) {
      fail(toApiError(caught));
      setBusy(false);
    }
  }

  return (
    <PublicLayout>
      <PageHeading>Choose your password</PageHeading>
      <p>You will use it with your email address to sign in.</p>
      <ErrorAlert ref={alert} message={message} />
      <form ref={form} onSubmit={save} noValidate>
        <UsernameForPasswordManagers />
        <NewPasswordPair
          value={passwords}
          onChange={setPasswords}
          errors={fields}
          onEdit={clearField}
          shown={shown}
          onShownChange={setShown}
          userInputs={NO_USER_INPUTS}
        />
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

/**
 * Password managers file a new password under the form's username field.
 * This state may not read the user's email (GET /api/me needs a session),
 * so the field is empty; it still tells a manager that this form sets an
 * account's password, and managers that ask for the name can fill it in.
 * `hidden` keeps it out of sight, of the tab order and of screen readers.
 */
function UsernameForPasswordManagers() {
  return (
    <input type="email" name="username" autoComplete="username" hidden />
  );
}
