/** Settings › Users: find, page through and act on every user. */
import { useState } from 'react';
import { Link } from 'react-router';
import type { UserRow } from '../../../api/schemas.ts';
import { api, toApiError } from '../../api.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { PageHeading } from '../../components/PageHeading.tsx';
import { StatusMessage } from '../../components/StatusMessage.tsx';
import { useDebouncedValue } from '../../hooks/useDebouncedValue.ts';
import { useHandedNotice } from '../../hooks/useHandedNotice.ts';
import { UserPager } from './UserPager.tsx';
import { UsersTable } from './UsersTable.tsx';
import { useUserPages } from './useUserPages.ts';

/** Long enough to skip the keystrokes of a word, short enough to feel live. */
const SEARCH_DELAY_MS = 250;

/** /settings/users: the paged, searchable user list. */
export function UsersPage() {
  const [searchText, setSearchText] = useState('');
  const search = useDebouncedValue(searchText.trim(), SEARCH_DELAY_MS);
  const list = useUserPages(search);
  const [status, setStatus] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);

  // The outcome of the user form, e.g. "Changes saved".
  useHandedNotice(setStatus);

  async function resendInvitation(user: UserRow) {
    setActionError(null);
    try {
      const path = `/api/users/${encodeURIComponent(user.id)}/invitation`;
      list.replaceRow(await api.post<UserRow>(path));
      setStatus(`Invitation sent to ${user.email}`);
    } catch (caught) {
      setActionError(toApiError(caught).message);
    }
  }

  return (
    <>
      <PageHeading>Users</PageHeading>
      <p>
        <Link to="/settings/users/new" className="button-primary">
          Add New User
        </Link>
      </p>
      <div className="field search-field">
        <label htmlFor="user-search">Search users</label>
        <p id="user-search-hint" className="hint">By name or email</p>
        <input
          id="user-search"
          type="search"
          aria-describedby="user-search-hint"
          value={searchText}
          onChange={(event) => setSearchText(event.target.value)}
        />
      </div>
      <StatusMessage message={status} />
      <ErrorAlert message={actionError ?? list.error} />
      <UsersTable
        users={list.users}
        loading={list.loading}
        onResendInvitation={resendInvitation}
      />
      {!list.loading && list.users.length === 0 && list.error === null && (
        <p>
          {search === '' ? 'No users yet.' : `No users match “${search}”.`}
        </p>
      )}
      <UserPager
        pageNumber={list.pageNumber}
        hasPrevious={list.hasPrevious}
        hasNext={list.hasNext}
        onPrevious={list.goPrevious}
        onNext={list.goNext}
      />
    </>
  );
}
