/**
 * Where a reset link lands. The token rides in the #fragment and is taken
 * out of the address at once. Loading the page spends nothing (mail
 * scanners open links); only "Save new password" uses the link, and only
 * if the server accepts the password. Finishing signs nobody in: the
 * person signs in afresh, with the security code when two-factor applies.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api, toApiError } from '../api.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import {
  NewPasswordPair,
  NO_NEW_PASSWORDS,
} from '../components/NewPasswordPair.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { PublicLayout } from '../components/PublicLayout.tsx';
import { useFocusOnError } from '../hooks/useFocusOnError.ts';
import { useFormFailure } from '../hooks/useFormFailure.ts';
import { useHashToken } from '../hooks/useHashToken.ts';

/** The link does not say whose it is; the server checks names and email. */
const NO_USER_INPUTS: string[] = [];

const INCOMPLETE_LINK =
  'This password reset link is incomplete. Open the link in your email ' +
  'again, or ask for a new one.';

const DONE =
  'Your password is changed, and every session of your account was ' +
  'signed out. Sign in with your new password.';

/** /reset-password#token: a new password for the link's owner. */
export function ResetPasswordPage() {
  const token = useHashToken();
  const [passwords, setPasswords] = useState(NO_NEW_PASSWORDS);
  const [shown, setShown] = useState(false);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const { failure, message, fields, fail, clearField } = useFormFailure();
  const form = useRef<HTMLFormElement>(null);
  const alert = useRef<HTMLDivElement>(null);
  useFocusOnError(failure, form, alert);

  // The form goes away with the button that had focus; focus goes to
  // what replaced it, so a screen reader reads the outcome.
  const outcome = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (done) outcome.current?.focus();
  }, [done]);

  async function save(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);

    try {
      await api.post('/api/password/reset', { token, ...passwords });
      setDone(true);
    } catch (caught) {
      fail(toApiError(caught));
      setBusy(false);
    }
  }

  const linkDead = token === '' || failure?.code === 'RESET_LINK_INVALID';
  const shownMessage = token === '' ? INCOMPLETE_LINK : message;

  return (
    <PublicLayout>
      <PageHeading title="Reset password">
        {done ? 'Your password is changed' : 'Choose a new password'}
      </PageHeading>
      {done ? (
        <div ref={outcome} tabIndex={-1}>
          <p>{DONE}</p>
          <p>
            <Link to="/sign-in">Sign in</Link>
          </p>
        </div>
      ) : (
        <>
          <ErrorAlert ref={alert} message={shownMessage} />
          {linkDead ? (
            <p>
              <Link to="/forgot-password">Ask for a new link</Link> or{' '}
              <Link to="/sign-in">sign in</Link>.
            </p>
          ) : (
            <form ref={form} onSubmit={save} noValidate>
              <p>Saving does not sign you in: you sign in afterwards.</p>
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
                Save new password
              </button>
            </form>
          )}
        </>
      )}
    </PublicLayout>
  );
}
