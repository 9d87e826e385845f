/**
 * Before the first administrator exists nobody can sign in, and the way
 * forward (the setup link) is only in the console that started Callvault.
 * Sign-in says so instead of refusing every attempt without a hint.
 */
import { useEffect, useState } from 'react';
import { api } from '../api.ts';
import { StatusMessage } from '../components/StatusMessage.tsx';

const SETUP_NEEDED =
  'Callvault has no administrator yet. Open the one-time setup link ' +
  'printed in the console where Callvault was started.';

/** A status line shown while Callvault still needs its setup. */
export function SetupNeededNotice() {
  const [needed, setNeeded] = useState(false);

  useEffect(() => {
    let current = true;
    api
      .get<{ needed: boolean }>('/api/setup')
      .then((answer) => current && setNeeded(answer.needed))
      // Only a hint: sign-in works the same without it.
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, []);

  return (
    <StatusMessage tone="warning" message={needed ? SETUP_NEEDED : null} />
  );
}
