/**
 * After a failed submit, focus goes to the first field in error, or to the
 * alert when the error is not about one field (WCAG 3.3.1): the person
 * hears what went wrong without hunting for it.
 */
import { useEffect, type RefObject } from 'react';

/** Moves focus to the first error whenever `failure` changes. */
export function useFocusOnError(
  failure: object | null,
  form: RefObject<HTMLElement | null>,
  alert: RefObject<HTMLElement | null>,
): void {
  useEffect(() => {
    if (failure === null) return;

    const invalid = form.current?.querySelector<HTMLElement>(
      '[aria-invalid="true"]',
    );
    (invalid ?? alert.current)?.focus();
  }, [failure, form, alert]);
}
