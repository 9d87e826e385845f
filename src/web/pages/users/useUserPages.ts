/**
 * Loads the user list one page at a time. "Next" passes the last page's
 * cursor as `after`.
 */
import { useCallback } from 'react';
import type { UserPage, UserRow } from '../../../api/schemas.ts';
import { api } from '../../api.ts';
import { useKeysetPages } from '../../hooks/useKeysetPages.ts';

export const PAGE_SIZE = 25;

function loadUsers(search: string, after: string | undefined) {
  const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (search !== '') query.set('search', search);
  if (after !== undefined) query.set('after', after);

  return api.get<UserPage>(`/api/users?${query}`);
}

/** One page of users for `search`, with paging moves. */
export function useUserPages(search: string) {
  const list = useKeysetPages(search, loadUsers);
  const { setPage } = list;

  /** Swaps in a fresher copy of one row, e.g. after a resend. */
  const replaceRow = useCallback((row: UserRow) => {
    setPage((shown) =>
      shown === null
        ? shown
        : {
          ...shown,
          users: shown.users.map((user) => (user.id === row.id ? row : user)),
        },
    );
  }, [setPage]);

  return { ...list, users: list.page?.users ?? [], replaceRow };
}
