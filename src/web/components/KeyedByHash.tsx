/**
 * Remounts a page when only the #fragment of its address changes, e.g. a
 * second invitation link opened in the same tab: the browser does not
 * reload for that, yet the page must read and use the new token.
 */
import { Fragment, type ReactNode } from 'react';
import { useLocation } from 'react-router';

/** Renders `children` afresh for each #fragment. */
export function KeyedByHash({ children }: { children: ReactNode }) {
  const { hash } = useLocation();
  return <Fragment key={hash}>{children}</Fragment>;
}
