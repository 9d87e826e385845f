/**
 * A polite live region for good news ("Changes saved"). Like the alert it
 * stays in the page so that a change of its text is announced.
 */
export function StatusMessage({ message }: { message: string | null }) {
  return (
    <p role="status" className="status-message">
      {message}
    </p>
  );
}
