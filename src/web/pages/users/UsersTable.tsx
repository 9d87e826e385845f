/** The table of users: one row each, with edit and resend actions. */
import { Link } from 'react-router';
import type { UserRow } from '../../../api/schemas.ts';
import { PencilIcon } from '../../components/PencilIcon.tsx';
import { displayName, formatDateTime, formatRoles } from '../../format.ts';
import { UserStatus } from './UserStatus.tsx';

interface UsersTableProps {
  users: UserRow[];
  loading: boolean;
  onResendInvitation: (user: UserRow) => void;
}

/** The "Users" table for one page of users. */
export function UsersTable(props: UsersTableProps) {
  const { users, loading, onResendInvitation } = props;

  return (
    <div className="table-scroll">
      <table className="users-table" aria-busy={loading}>
        <caption className="visually-hidden">Users</caption>
        {/* Widths per column: see .users-table in styles.css. */}
        <colgroup>
          <col className="col-name" />
          <col className="col-email" />
          <col className="col-roles" />
          <col className="col-two-factor" />
          <col className="col-status" />
          <col className="col-last-sign-in" />
          <col className="col-actions" />
        </colgroup>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Roles</th>
            <th scope="col">Two-factor</th>
            <th scope="col">Status</th>
            <th scope="col">Last sign-in</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {users.map((user) => (
            <tr key={user.id}>
              <td>{fullName(user)}</td>
              <td>{user.email}</td>
              <td>{formatRoles(user.roles)}</td>
              <td className="nowrap">{user.twoFactor ? 'On' : 'Off'}</td>
              <td className="nowrap">
                <UserStatus user={user} />
              </td>
              <td className="nowrap">
                {user.lastSignInAt === null
                  ? 'Never'
                  : formatDateTime(user.lastSignInAt)}
              </td>
              <td>
                <div className="actions">
                  <Link
                    to={`/settings/users/${encodeURIComponent(user.id)}`}
                    className="icon-button"
                    aria-label={`Edit ${displayName(user)}`}
                    title={`Edit ${displayName(user)}`}
                  >
                    <PencilIcon />
                  </Link>
                  {user.status === 'invited' && (
                    <button
                      type="button"
                      className="button-secondary button-small"
                      // Each row's button names its user, so a list of
                      // buttons read out of the table still tells them
                      // apart; the visible words begin the name.
                      aria-label={`Resend invitation to ${displayName(user)}`}
                      onClick={() => onResendInvitation(user)}
                    >
                      Resend invitation
                    </button>
                  )}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function fullName(user: UserRow): string {
  return `${user.firstName} ${user.lastName}`.trim();
}
