/**
 * "Send password reset" on an active user's edit page: Callvault emails
 * the user a link to choose a new password. The administrator never
 * chooses or sees it (ASVS 6.4.6), which is also how they let back in a
 * user who forgot their password or ran into the sign-in delays.
 */
import { useId, useRef, useState } from 'react';
import type { UserRow } from '../../../api/schemas.ts';
import { api, toApiError } from '../../api.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { StatusMessage } from '../../components/StatusMessage.tsx';

interface SendPasswordResetProps {
  userId: string;
  email: string;
}

/** The "Password" section with its one button. */
export function SendPasswordReset({ userId, email }: SendPasswordResetProps) {
  const headingId = useId();
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const alert = useRef<HTMLDivElement>(null);

  async function send() {
    if (busy) return;
    setBusy(true);
    setSent(null);
    setError(null);

    try {
      const path = `/api/users/${encodeURIComponent(userId)}/password-reset`;
      const user = await api.post<UserRow>(path);
      setSent(`Password reset email sent to ${user.email}.`);
    } catch (caught) {
      setError(toApiError(caught).message);
      alert.current?.focus();
    }
    setBusy(false);
  }

  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>Password</h2>
      <p>
        Email {email} a link to choose a new password. The link works once,
        for one hour; you never see or choose the password.
      </p>
      <ErrorAlert ref={alert} message={error} />
      <StatusMessage message={sent} />
      <button type="button" className="button-secondary" onClick={send}>
        Send password reset
      </button>
    </section>
  );
}
