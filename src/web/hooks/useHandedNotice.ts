/**
 * Shows the notice the previous page handed over in the router's history
 * state (see notice.ts), e.g. "Changes saved" or why sign-in is needed
 * again.
 */
import { useEffect } from 'react';
import { useLocation } from 'react-router';
import { noticeFrom } from '../notice.ts';

/** Passes the location's notice to `show` once the page has mounted. */
export function useHandedNotice(show: (notice: string) => void): void {
  const location = useLocation();
  const notice = noticeFrom(location.state);

  // After mounting, so the live region already in the page announces it.
  useEffect(() => {
    if (notice === null) return;
    show(notice);

    // Drops the notice from history so that a reload does not repeat it.
    const { state } = window.history;
    window.history.replaceState({ ...state, usr: null }, '');
  }, [notice, show]);
}
