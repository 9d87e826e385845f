/**
 * The local mailbox: where Callvault keeps the mail it would send when no
 * SMTP server is configured, so invitations and security codes can still
 * be read on a test or single-machine install.
 */
import { useCallback, useEffect, useState } from 'react';
import type { MailboxMessage } from '../../api/schemas.ts';
import { api, toApiError, type ApiError } from '../api.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { LinkifiedText } from '../components/LinkifiedText.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { PublicLayout } from '../components/PublicLayout.tsx';
import { formatDateTime } from '../format.ts';

type Mailbox =
  | { state: 'loading' }
  | { state: 'open'; messages: MailboxMessage[] }
  | { state: 'off' }
  | { state: 'local-only' }
  | { state: 'failed'; message: string };

/** /mailbox: the local mailbox, newest first. */
export function MailboxPage() {
  const [mailbox, setMailbox] = useState<Mailbox>({ state: 'loading' });
  const [status, setStatus] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const answer = await api.get<{ messages: MailboxMessage[] }>(
        '/api/mailbox',
      );
      setMailbox({ state: 'open', messages: newestFirst(answer.messages) });
      setStatus(countMessages(answer.messages.length));
    } catch (caught) {
      setMailbox(closedMailbox(toApiError(caught)));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <PublicLayout wide>
      <PageHeading>Mailbox</PageHeading>
      <p>
        When no SMTP server is configured, Callvault keeps the mail it sends
        here instead, so invitations and security codes can still be read
        on this machine.
      </p>
      <div className="toolbar">
        <button type="button" className="button-secondary" onClick={load}>
          Refresh
        </button>
        {/* Polite: each refresh says how many messages there are now. */}
        <p role="status" className="toolbar-status">
          {status}
        </p>
      </div>
      <ErrorAlert
        message={mailbox.state === 'failed' ? mailbox.message : null}
      />
      {mailbox.state === 'loading' && <p className="loading">Loading…</p>}
      {mailbox.state === 'off' && (
        <p>
          The mailbox is off because Callvault sends mail through an SMTP
          server.
        </p>
      )}
      {mailbox.state === 'local-only' && (
        <p>
          The mailbox can only be read in a browser on the machine that runs
          Callvault.
        </p>
      )}
      {mailbox.state === 'open' && <MessageList messages={mailbox.messages} />}
    </PublicLayout>
  );
}

/**
 * Why the mailbox shows no mail: off (404) because mail goes through an
 * SMTP server, or on but refused (403) because it holds invitation links
 * and codes and answers only this machine.
 */
function closedMailbox(error: ApiError): Mailbox {
  if (error.status === 404) return { state: 'off' };
  // MAILBOX_LOCAL_ONLY, the one refusal this read can meet.
  if (error.status === 403) return { state: 'local-only' };
  return { state: 'failed', message: error.message };
}

function MessageList({ messages }: { messages: MailboxMessage[] }) {
  // The count beside Refresh already says "No mail yet."
  if (messages.length === 0) return null;

  return (
    <ol className="mailbox">
      {messages.map((message) => (
        <li key={message.id}>
          <article className="mail">
            <h2>{message.subject}</h2>
            <dl className="mail-meta">
              <dt>To</dt>
              <dd>{message.to}</dd>
              <dt>From</dt>
              <dd>{message.from}</dd>
              <dt>Received</dt>
              <dd>
                <time dateTime={message.receivedAt}>
                  {formatDateTime(message.receivedAt)}
                </time>
              </dd>
            </dl>
            <pre className="mail-text">
              <LinkifiedText text={message.text} />
            </pre>
          </article>
        </li>
      ))}
    </ol>
  );
}

/** The API sends newest first already; sorting keeps the promise anyway. */
function newestFirst(messages: MailboxMessage[]): MailboxMessage[] {
  return [...messages].sort(
    (a, b) => Date.parse(b.receivedAt) - Date.parse(a.receivedAt),
  );
}

function countMessages(count: number): string {
  if (count === 0) return 'No mail yet.';
  return count === 1 ? '1 message.' : `${count} messages.`;
}
