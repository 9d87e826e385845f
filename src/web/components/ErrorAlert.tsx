/**
 * The page's error region. It is always in the page, empty when all is
 * well, because screen readers announce a change to an existing alert
 * more reliably than a freshly inserted one.
 */
import type { Ref } from 'react';

interface ErrorAlertProps {
  message: string | null | undefined;
  ref?: Ref<HTMLDivElement>;
}

/** The role="alert" region, focusable for error handling. */
export function ErrorAlert({ message, ref }: ErrorAlertProps) {
  return (
    <div ref={ref} role="alert" className="alert" tabIndex={-1}>
      {message}
    </div>
  );
}
