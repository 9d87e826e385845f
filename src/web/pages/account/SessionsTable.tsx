/** The table of the user's sessions, this device first marked. */
import type { AccountSession } from '../../../api/schemas.ts';
import { formatDateTime } from '../../format.ts';

/** "Chrome 140 on Linux". */
export function sessionDevice(session: AccountSession): string {
  return `${session.browser} on ${session.system}`;
}

interface SessionsTableProps {
  sessions: AccountSession[];
  onSignOut: (session: AccountSession) => void;
}

/** One row per session: device, address, started, last active. */
export function SessionsTable({ sessions, onSignOut }: SessionsTableProps) {
  return (
    <div className="table-scroll">
      <table className="sessions-table" aria-labelledby="sessions-heading">
        <thead>
          <tr>
            <th scope="col">Device</th>
            <th scope="col">Address</th>
            <th scope="col">Started</th>
            <th scope="col">Last active</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {sessions.map((session) => {
            const device = sessionDevice(session);
            const started = formatDateTime(session.startedAt);
            return (
              <tr key={session.id}>
                <th scope="row">
                  {device}
                  {session.current && (
                    <span className="this-device">This device</span>
                  )}
                </th>
                <td>{session.address ?? 'Unknown'}</td>
                <td className="nowrap">{started}</td>
                <td className="nowrap">
                  {formatDateTime(session.lastActiveAt)}
                </td>
                <td>
                  {session.current ? (
                    <span className="muted">Use “Sign out” at the top</span>
                  ) : (
                    <button
                      type="button"
                      className="button-secondary button-small"
                      // Rows look alike out of the table; the name says
                      // which device, and when it signed in.
                      aria-label={`Sign out ${device}, started ${started}`}
                      onClick={() => onSignOut(session)}
                    >
                      Sign out
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
