/**
 * "Forgot your password?": the person gives their address and is told the
 * same thing whether or not it has an account, so the page cannot be used
 * to find out who uses Callvault.
 */
import { useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import type { ForgotPasswordResult } from '../../api/schemas.ts';
import { api, toApiError, type ApiError } from '../api.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { Field } from '../components/Field.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { PublicLayout } from '../components/PublicLayout.tsx';
import { StatusMessage } from '../components/StatusMessage.tsx';
import { useFocusOnError } from '../hooks/useFocusOnError.ts';

/** /forgot-password: asks for a reset link by email. */
export function ForgotPasswordPage() {
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState<string | null>(null);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const form = useRef<HTMLFormElement>(null);
  const alert = useRef<HTMLDivElement>(null);
  useFocusOnError(failure, form, alert);

  async function send(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setSent(null);

    try {
      const result = await api.post<ForgotPasswordResult>(
        '/api/password/forgot',
        { email },
      );
      setFailure(null);
      setSent(result.message);
    } catch (caught) {
      setFailure(toApiError(caught));
    }
    setBusy(false);
  }

  return (
    <PublicLayout>
      <PageHeading title="Forgot password">Reset your password</PageHeading>
      <p>
        Enter the email address you sign in with. We will email you a link
        to choose a new password; it works once, for one hour.
      </p>
      <ErrorAlert ref={alert} message={failure?.message} />
      <StatusMessage message={sent} />
      <form ref={form} onSubmit={send} noValidate>
        <Field
          label="Email"
          name="email"
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(event) => {
            setEmail(event.target.value);
            // A refusal of the old address is no verdict on the new one.
            setFailure(null);
          }}
          error={failure?.fields.email}
        />
        <button type="submit" className="button-primary">
          Send reset link
        </button>
      </form>
      <p>
        Remembered it? <Link to="/sign-in">Sign in</Link>
      </p>
    </PublicLayout>
  );
}
