/**
 * Where an invitation link lands. The token rides in the #fragment; it is
 * taken out of the address at once and exchanged for a pending sign-in.
 */
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import type { SignInResult } from '../../api/schemas.ts';
import { api, followRedirect, toApiError } from '../api.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { PublicLayout } from '../components/PublicLayout.tsx';
import { useHashToken } from '../hooks/useHashToken.ts';

const INCOMPLETE_LINK =
  'This invitation link is incomplete. Open the link in your invitation ' +
  'email again, or ask your administrator for a new invitation.';

/** /invitation#token: accepts the invitation. */
export function InvitationPage() {
  const token = useHashToken();
  const [error, setError] = useState<string | null>(null);
  const started = useRef(false);

  useEffect(() => {
    // The token works once: StrictMode's second run must not spend it.
    if (started.current) return;
    started.current = true;

    if (token === '') {
      setError(INCOMPLETE_LINK);
      return;
    }
    api
      .post<SignInResult>('/api/invitations/accept', { token })
      .then((result) => followRedirect(result.redirect))
      .catch((caught) => setError(toApiError(caught).message));
  }, [token]);

  return (
    <PublicLayout>
      <PageHeading title="Invitation">Your invitation to Callvault</PageHeading>
      {error === null && <p role="status">Checking your invitation…</p>}
      <ErrorAlert message={error} />
      {error !== null && (
        <p>
          Already have a password? <Link to="/sign-in">Sign in</Link>
        </p>
      )}
    </PublicLayout>
  );
}
