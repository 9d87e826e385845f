/**
 * The page's one `<h1>`. It names the browser tab and, after an in-app
 * navigation, takes focus so a screen reader starts reading the new page
 * instead of staying on the link that was followed.
 */
import { useEffect, useRef } from 'react';

/** The first page of a visit keeps the browser's own focus handling. */
let firstPageShown = false;

interface PageHeadingProps {
  children: string;
  /** The tab title when it should differ from the heading. */
  title?: string;
}

/** The `<h1>` that names, titles and focuses the page. */
export function PageHeading({ children, title }: PageHeadingProps) {
  const heading = useRef<HTMLHeadingElement>(null);
  const focused = useRef(false);
  const tabTitle = title ?? children;

  useEffect(() => {
    document.title = `${tabTitle} · Callvault`;
  }, [tabTitle]);

  useEffect(() => {
    // StrictMode runs effects twice; refs survive, so this runs once.
    if (focused.current) return;
    focused.current = true;

    if (!firstPageShown) {
      firstPageShown = true;
      return;
    }
    heading.current?.focus();
  }, []);

  return (
    <h1 ref={heading} tabIndex={-1}>
      {children}
    </h1>
  );
}
