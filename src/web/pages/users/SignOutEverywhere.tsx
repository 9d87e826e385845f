/**
 * "Sign out everywhere" on a user's edit page: ends every session and
 * half-done sign-in of the user at once, e.g. after a lost laptop.
 */
import { useId, useRef, useState } from 'react';
import type { SessionsEnded } from '../../../api/schemas.ts';
import { api, toApiError } from '../../api.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { StatusMessage } from '../../components/StatusMessage.tsx';

interface SignOutEverywhereProps {
  userId: string;
  name: string;
}

/** The "Sessions" section with its one button. */
export function SignOutEverywhere({ userId, name }: SignOutEverywhereProps) {
  const headingId = useId();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const alert = useRef<HTMLDivElement>(null);

  async function signOut() {
    if (busy) return;
    setBusy(true);
    setDone(null);
    setError(null);

    try {
      const path = `/api/users/${encodeURIComponent(userId)}/sessions/end`;
      const { sessions } = await api.post<SessionsEnded>(path);
      const count = sessions === 1 ? '1 session' : `${sessions} sessions`;
      setDone(`Signed ${name} out everywhere: ${count} ended.`);
    } catch (caught) {
      setError(toApiError(caught).message);
      alert.current?.focus();
    }
    setBusy(false);
  }

  return (
    <section className="user-action" aria-labelledby={headingId}>
      <h2 id={headingId}>Sessions</h2>
      <p>
        End every session of {name} on every device, and any sign-in they
        have started. They can sign in again at once.
      </p>
      <ErrorAlert ref={alert} message={error} />
      <StatusMessage message={done} />
      <button type="button" className="button-secondary" onClick={signOut}>
        Sign out everywhere
      </button>
    </section>
  );
}
