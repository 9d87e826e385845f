/** Ends the session (or the unfinished sign-in) and returns to sign-in. */
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api, toApiError } from '../api.ts';

/** A "Sign out" button that reports its own failure. */
export function SignOutButton() {
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function signOut() {
    if (busy) return;
    setBusy(true);
    setError(null);

    try {
      await api.post('/api/sign-out');
      navigate('/sign-in', { replace: true });
    } catch (caught) {
      // Saying "signed out" when the session lives on would mislead.
      setError(toApiError(caught).message);
      setBusy(false);
    }
  }

  return (
    <span className="sign-out">
      <button type="button" className="button-secondary" onClick={signOut}>
        Sign out
      </button>
      {error !== null && (
        <span role="alert" className="sign-out-error">
          {error}
        </span>
      )}
    </span>
  );
}
