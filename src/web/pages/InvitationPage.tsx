/**
 * Where an invitation link lands. The token rides in the #fragment; it is
 * taken out of the address at once and kept in memory until the person
 * presses Continue, which exchanges it for a pending sign-in.
 *
 * Loading the page spends nothing: mail scanners open links in headless
 * browsers that run the page, and they must neither use up the invitation
 * nor set off a security code email. Only a person's click does.
 */
import { useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import type { SignInResult } from '../../api/schemas.ts';
import { api, followRedirect, toApiError, type ApiError } from '../api.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { PublicLayout } from '../components/PublicLayout.tsx';
import { useFocusOnError } from '../hooks/useFocusOnError.ts';
import { useHashToken } from '../hooks/useHashToken.ts';

const INCOMPLETE_LINK =
  'This invitation link is incomplete. Open the link in your invitation ' +
  'email again, or ask your administrator for a new invitation.';

/** /invitation#token: accepts the invitation when the person continues. */
export function InvitationPage() {
  const token = useHashToken();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const form = useRef<HTMLFormElement>(null);
  const alert = useRef<HTMLDivElement>(null);
  // A refused link takes the button away; focus must not vanish with it.
  useFocusOnError(failure, form, alert);

  async function accept(event: FormEvent) {
    event.preventDefault();
    // The token works once: a second press must not spend it again.
    if (busy) return;
    setBusy(true);

    try {
      const result = await api.post<SignInResult>('/api/invitations/accept', {
        token,
      });
      followRedirect(result.redirect);
    } catch (caught) {
      setFailure(toApiError(caught));
      setBusy(false);
    }
  }

  const message = token === '' ? INCOMPLETE_LINK : failure?.message;
  const canContinue = token !== '' && !linkRefused(failure);
  const deadLink = failure !== null && DEAD_LINK_CODES.has(failure.code);

  return (
    <PublicLayout>
      <PageHeading title="Invitation">{headingFor(failure)}</PageHeading>
      {!deadLink && (
        <p>
          You have been invited to Callvault. You are about to sign in for
          the first time and choose a password of your own.
        </p>
      )}
      <ErrorAlert ref={alert} message={message} />
      {deadLink && (
        <p>
          Only your administrator can send a new invitation: ask the person
          who invited you to use “Resend invitation” in Callvault, under
          Settings › Users. The new email has a fresh link; open it within
          72 hours.
        </p>
      )}
      {canContinue && (
        <form ref={form} onSubmit={accept}>
          <button type="submit" className="button-primary">
            Continue
          </button>
        </form>
      )}
      {message !== undefined && (
        <p>
          Already have a password? <Link to="/sign-in">Sign in</Link>
        </p>
      )}
    </PublicLayout>
  );
}

/** Answers that mean this link will never work: a new one is needed. */
const DEAD_LINK_CODES = new Set(['INVITATION_EXPIRED', 'LINK_INVALID']);

function headingFor(failure: ApiError | null): string {
  if (failure?.code === 'INVITATION_EXPIRED') return 'Your invitation has expired';
  if (failure?.code === 'LINK_INVALID') return 'This invitation link no longer works';
  return 'Welcome to Callvault';
}

/**
 * Whether the server turned the link down for good (used, replaced or
 * expired), so that pressing Continue again would only fail again. A lost
 * connection, a server fault or a wait is worth another try.
 */
function linkRefused(failure: ApiError | null): boolean {
  if (failure === null) return false;
  const { status } = failure;
  return status >= 400 && status < 500 && status !== 429;
}
