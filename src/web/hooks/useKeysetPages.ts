/**
 * Walks a list the API pages with keyset cursors. "Next" loads the page
 * after the last one's `nextCursor`; a stack of the cursors used so far
 * walks back, because a keyset cannot be read backwards.
 */
import { useCallback, useEffect, useState } from 'react';
import { toApiError } from '../api.ts';

/** What every keyset-paged answer carries besides its rows. */
export interface KeysetPage<Cursor> {
  /** Where the next page starts; null on the last page. */
  nextCursor: Cursor | null;
}

/**
 * Loads the page for `query` that starts at `cursor` (undefined for the
 * first). Define it outside the component: a new function on every
 * render would load the page again on every render.
 */
export type LoadPage<Page, Cursor> = (
  query: string,
  cursor: Cursor | undefined,
) => Promise<Page>;

interface Paging<Cursor> {
  query: string;
  /** The cursor of the page shown; undefined for the first page. */
  cursor: Cursor | undefined;
  /** The cursors of the pages before it, nearest last. */
  previous: (Cursor | undefined)[];
}

/** The page of `query` being shown, with the moves to its neighbours. */
export function useKeysetPages<Page extends KeysetPage<Cursor>, Cursor>(
  query: string,
  load: LoadPage<Page, Cursor>,
) {
  const [paging, setPaging] = useState<Paging<Cursor>>({
    query,
    cursor: undefined,
    previous: [],
  });
  const [page, setPage] = useState<Page | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [loading, setLoading] = useState(true);

  // A new query starts again at its first page.
  if (paging.query !== query) {
    setPaging({ query, cursor: undefined, previous: [] });
  }

  useEffect(() => {
    let current = true;
    setLoading(true);

    load(paging.query, paging.cursor)
      .then((loaded) => {
        if (!current) return;
        setPage(loaded);
        setError(null);
        setFields({});
      })
      .catch((caught) => {
        if (!current) return;
        // The rows of another page or query would pass for this one's.
        const failure = toApiError(caught);
        setPage(null);
        setError(failure.message);
        setFields(failure.fields);
      })
      .finally(() => current && setLoading(false));
    return () => {
      current = false;
    };
  }, [paging, load]);

  const nextCursor = page?.nextCursor ?? null;

  const goNext = useCallback(() => {
    if (nextCursor === null) return;
    setPaging((shown) => ({
      ...shown,
      cursor: nextCursor,
      previous: [...shown.previous, shown.cursor],
    }));
  }, [nextCursor]);

  const goPrevious = useCallback(() => {
    setPaging((shown) => shown.previous.length === 0 ? shown : ({
      ...shown,
      cursor: shown.previous.at(-1),
      previous: shown.previous.slice(0, -1),
    }));
  }, []);

  return {
    page,
    /** Swaps in a changed copy of the page shown, e.g. one fresher row. */
    setPage,
    loading,
    error,
    /** Query parameter → what is wrong with it. */
    fields,
    hasNext: nextCursor !== null,
    hasPrevious: paging.previous.length > 0,
    /** 1 for the first page. */
    pageNumber: paging.previous.length + 1,
    goNext,
    goPrevious,
  };
}
