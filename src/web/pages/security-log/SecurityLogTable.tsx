/** The table of audit events: when, what, who, to whom, from where. */
import type { AuditEventRow, AuditPerson } from '../../../api/schemas.ts';
import { detailWords, eventLabel } from '../../../api/audit-words.ts';
import { formatDateTime } from '../../format.ts';

interface SecurityLogTableProps {
  events: AuditEventRow[];
  loading: boolean;
}

/** "2026-12-03 14:05:09 UTC": the stored ISO time, cut, not converted. */
function utc(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/** The "Security Log" table for one page of events. */
export function SecurityLogTable({ events, loading }: SecurityLogTableProps) {
  return (
    <div className="table-scroll">
      <table className="users-table audit-table" aria-busy={loading}>
        <caption className="visually-hidden">Security Log</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Event</th>
            <th scope="col">Who</th>
            <th scope="col">To whom</th>
            <th scope="col">Address</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {events.map((row) => (
            <tr key={row.id}>
              <td className="nowrap">
                <time dateTime={row.at}>{utc(row.at)}</time>
                <span className="status-note">{formatDateTime(row.at)} local</span>
              </td>
              <td>{eventLabel(row.event)}</td>
              <td><Person person={row.actor} /></td>
              <td><Person person={row.target} /></td>
              <td className="nowrap">{row.ip ?? '—'}</td>
              <td>{detailWords(row.event, row.detail)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A name over an email, as they were then; a dash for nobody. */
function Person({ person }: { person: AuditPerson | null }) {
  if (person === null) return <>—</>;
  return (
    <>
      {person.name ?? person.email}
      {person.name !== null && person.email !== null && (
        <span className="status-note">{person.email}</span>
      )}
    </>
  );
}
