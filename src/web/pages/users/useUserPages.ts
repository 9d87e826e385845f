/**
 * Loads the user list one page at a time. The API pages with keyset
 * cursors: "next" passes the last page's cursor as `after`, and a stack of
 * the cursors used so far walks back.
 */
import { useCallback, useEffect, useState } from 'react';
import type { UserPage, UserRow } from '../../../api/schemas.ts';
import { api, toApiError } from '../../api.ts';

export const PAGE_SIZE = 25;

interface Paging {
  search: string;
  /** The cursor of the page shown; undefined for the first page. */
  after: string | undefined;
  /** The cursors of the pages before it, nearest last. */
  previous: (string | undefined)[];
}

/** One page of users for `search`, with paging moves. */
export function useUserPages(search: string) {
  const [paging, setPaging] = useState<Paging>({
    search,
    after: undefined,
    previous: [],
  });
  const [page, setPage] = useState<UserPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);

  // A new search starts again at its first page.
  if (paging.search !== search) {
    setPaging({ search, after: undefined, previous: [] });
  }

  useEffect(() => {
    let current = true;
    setLoading(true);

    const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (paging.search !== '') query.set('search', paging.search);
    if (paging.after !== undefined) query.set('after', paging.after);

    api
      .get<UserPage>(`/api/users?${query}`)
      .then((loaded) => {
        if (!current) return;
        setPage(loaded);
        setError(null);
      })
      .catch((caught) => current && setError(toApiError(caught).message))
      .finally(() => current && setLoading(false));
    return () => {
      current = false;
    };
  }, [paging]);

  const nextCursor = page?.nextCursor ?? null;

  const goNext = useCallback(() => {
    if (nextCursor === null) return;
    setPaging((shown) => ({
      ...shown,
      after: nextCursor,
      previous: [...shown.previous, shown.after],
    }));
  }, [nextCursor]);

  const goPrevious = useCallback(() => {
    setPaging((shown) => shown.previous.length === 0 ? shown : ({
      ...shown,
      after: shown.previous.at(-1),
      previous: shown.previous.slice(0, -1),
    }));
  }, []);

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
  }, []);

  return {
    users: page?.users ?? [],
    loading,
    error,
    hasNext: nextCursor !== null,
    hasPrevious: paging.previous.length > 0,
    /** 1 for the first page. */
    pageNumber: paging.previous.length + 1,
    goNext,
    goPrevious,
    replaceRow,
  };
}
