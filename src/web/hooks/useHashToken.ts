/**
 * Reads a one-time token from the address's #fragment, then removes it
 * from the address bar and history so it does not linger on screen, in
 * bookmarks or in a shared screenshot. Fragments never reach the server's
 * logs, which is why links carry tokens there.
 */
import { useEffect, useState } from 'react';

/** The page's #fragment token, removed from the address. */
export function useHashToken(): string {
  // Reading is pure; StrictMode may call this twice before the effect.
  const [token] = useState(() => window.location.hash.slice(1));

  useEffect(() => {
    if (window.location.hash === '') return;

    const { pathname, search } = window.location;
    window.history.replaceState(window.history.state, '', pathname + search);
  }, []);

  return token;
}
