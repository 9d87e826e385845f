/**
 * First start: creating the first administrator. The setup link, with its
 * one-time token in the #fragment, is how the person who installed
 * Callvault proves they did.
 */
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { api, toApiError } from '../api.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { PublicLayout } from '../components/PublicLayout.tsx';
import { useHashToken } from '../hooks/useHashToken.ts';
import { SetupForm } from './SetupForm.tsx';

type SetupState = 'loading' | 'needed' | 'done' | 'created' | 'failed';

/** /setup#token: the first administrator, once. */
export function SetupPage() {
  const token = useHashToken();
  const [state, setState] = useState<SetupState>('loading');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    api
      .get<{ needed: boolean }>('/api/setup')
      .then((answer) => current && setState(answer.needed ? 'needed' : 'done'))
      .catch((caught) => {
        if (!current) return;
        setError(toApiError(caught).message);
        setState('failed');
      });
    return () => {
      current = false;
    };
  }, []);

  if (state === 'created') {
    return (
      <PublicLayout>
        {/* A new key remounts the heading so that it takes focus. */}
        <PageHeading key="created">Administrator created</PageHeading>
        <p>
          Callvault is ready. Sign in with the email and password you chose.
        </p>
        <p>
          <Link to="/sign-in">Sign in</Link>
        </p>
      </PublicLayout>
    );
  }

  return (
    <PublicLayout>
      <PageHeading title="Setup">Set up Callvault</PageHeading>
      {state === 'loading' && <p className="loading">Loading…</p>}
      {state === 'failed' && <ErrorAlert message={error} />}
      {state === 'done' && <AlreadySetUp />}
      {state === 'needed' && token === '' && <MissingLink />}
      {state === 'needed' && token !== '' && (
        <SetupForm token={token} onCreated={() => setState('created')} />
      )}
    </PublicLayout>
  );
}

function AlreadySetUp() {
  return (
    <p>
      Callvault already has an administrator. Ask them for an invitation,
      or <Link to="/sign-in">sign in</Link>.
    </p>
  );
}

function MissingLink() {
  return (
    <p>
      This page needs the setup link that Callvault wrote to its log when it
      started. Open that link, including everything after the “#”.
    </p>
  );
}
