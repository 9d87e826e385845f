/** Lets keyboard users jump past the header and menu (WCAG 2.4.1). */
import type { MouseEvent } from 'react';

function skipToMain(event: MouseEvent<HTMLAnchorElement>) {
  // Focusing directly keeps "#main" out of the router's history.
  event.preventDefault();
  document.getElementById('main')?.focus();
}

/** The first link on signed-in pages; visible when focused. */
export function SkipLink() {
  return (
    <a className="skip-link" href="#main" onClick={skipToMain}>
      Skip to main content
    </a>
  );
}
