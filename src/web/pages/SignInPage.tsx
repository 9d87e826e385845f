/** Sign-in with email and password, the first step of every journey. */
import { useRef, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { SignInResult } from '../../api/schemas.ts';
import { api, followRedirect, toApiError, type ApiError } from '../api.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { Field } from '../components/Field.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { PublicLayout } from '../components/PublicLayout.tsx';
import { StatusMessage } from '../components/StatusMessage.tsx';
import { useFocusOnError } from '../hooks/useFocusOnError.ts';
import { useHandedNotice } from '../hooks/useHandedNotice.ts';
import { SetupNeededNotice } from './SetupNeededNotice.tsx';

/** /sign-in: email and password. */
export function SignInPage() {
  const [searchParams] = useSearchParams();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const form = useRef<HTMLFormElement>(null);
  const alert = useRef<HTMLDivElement>(null);
  useFocusOnError(failure, form, alert);

  // Why the person landed here, e.g. a session that ended or a sign-in
  // that ran out of tries.
  const [notice, setNotice] = useState<string | null>(null);
  useHandedNotice(setNotice);

  async function signIn(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);

    try {
      const result = await api.post<SignInResult>('/api/sign-in', {
        email,
        password,
        next: searchParams.get('next') ?? undefined,
      });
      followRedirect(result.redirect);
    } catch (caught) {
      // The new error says what matters now; the old reason is history.
      setNotice(null);
      setFailure(toApiError(caught));
      setPassword('');
      setBusy(false);
    }
  }

  return (
    <PublicLayout>
      <PageHeading title="Sign in">Sign in to Callvault</PageHeading>
      <SetupNeededNotice />
      <StatusMessage tone="warning" message={notice} />
      <ErrorAlert ref={alert} message={failure?.message} />
      <form ref={form} onSubmit={signIn} noValidate>
        <Field
          label="Email"
          name="email"
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          error={failure?.fields.email}
        />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          error={failure?.fields.password}
        />
        <button type="submit" className="button-primary">
          Sign in
        </button>
      </form>
      <p>
        <Link to="/forgot-password">Forgot your password?</Link>
      </p>
    </PublicLayout>
  );
}
