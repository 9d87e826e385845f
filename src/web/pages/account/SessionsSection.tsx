/**
 * My account > Sessions: where the user is signed in, and signing out
 * one of those places or all but this one.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { AccountSession, AccountSessions } from '../../../api/schemas.ts';
import { api, toApiError } from '../../api.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { StatusMessage } from '../../components/StatusMessage.tsx';
import { SessionsTable, sessionDevice } from './SessionsTable.tsx';

interface SessionsSectionProps {
  /** Changes when something else (a password change) ended sessions. */
  reloadKey: number;
}

/** The "Sessions" section with its table and actions. */
export function SessionsSection({ reloadKey }: SessionsSectionProps) {
  const [sessions, setSessions] = useState<AccountSession[] | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  const load = useCallback(async () => {
    try {
      const answer = await api.get<AccountSessions>('/api/account/sessions');
      setSessions(answer.sessions);
    } catch (caught) {
      setError(toApiError(caught).message);
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load, reloadKey]);

  /**
   * The button that was pressed leaves the page with its row, so focus
   * goes to the section's heading rather than be lost; the status region
   * says what happened.
   */
  async function act(work: () => Promise<string>) {
    setError(null);
    setStatus(null);
    try {
      setStatus(await work());
    } catch (caught) {
      setError(toApiError(caught).message);
    }
    await load();
    heading.current?.focus();
  }

  function signOut(session: AccountSession) {
    return act(async () => {
      await api.delete(`/api/account/sessions/${encodeURIComponent(session.id)}`);
      return `Signed out ${sessionDevice(session)}.`;
    });
  }

  function signOutOthers() {
    return act(async () => {
      const { ended } = await api.post<{ ended: number }>(
        '/api/account/sessions/sign-out-others',
      );
      return ended === 1
        ? 'Signed out 1 other session.'
        : `Signed out ${ended} other sessions.`;
    });
  }

  const others = sessions?.filter((session) => !session.current) ?? [];

  return (
    <section aria-labelledby="sessions-heading" className="account-section">
      <h2 id="sessions-heading" ref={heading} tabIndex={-1}>
        Sessions
      </h2>
      <p>Where you are signed in now.</p>
      <StatusMessage message={status} />
      <ErrorAlert message={error} />
      {sessions === null ? (
        error === null && <p className="loading">Loading…</p>
      ) : (
        <>
          <SessionsTable sessions={sessions} onSignOut={signOut} />
          {others.length > 0 ? (
            <p>
              <button
                type="button"
                className="button-secondary"
                onClick={signOutOthers}
              >
                Sign out everywhere else
              </button>
            </p>
          ) : (
            <p className="muted">You are signed in on this device only.</p>
          )}
        </>
      )}
    </section>
  );
}
