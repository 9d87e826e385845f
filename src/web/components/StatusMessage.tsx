/**
 * A polite live region for news: good ("Changes saved") or worth heeding
 * ("Your session has ended"). Like the alert it stays in the page, so
 * that a change of its text is announced.
 */

interface StatusMessageProps {
  message: string | null;
  /** "warning" for news that asks something of the person. */
  tone?: 'success' | 'warning';
}

/** The role="status" region, empty when there is nothing to say. */
export function StatusMessage(props: StatusMessageProps) {
  const { message, tone = 'success' } = props;
  const className =
    tone === 'warning' ? 'status-message status-warning' : 'status-message';

  return (
    <p role="status" className={className}>
      {message}
    </p>
  );
}
