/**
 * Loads the Security Log one page at a time, newest first. "Next" passes
 * the last page's cursor as `before`; a stack of cursors walks back.
 */
import { useCallback, useEffect, useState } from 'react';
import type { AuditEventPage } from '../../../api/schemas.ts';
import { api, toApiError } from '../../api.ts';

export const PAGE_SIZE = 50;

interface Paging {
  /** The filters as a query string, e.g. "event=sign_in.failed". */
  filters: string;
  before: number | undefined;
  previous: (number | undefined)[];
}

/** One page of events for the filters in `filters` (a query string). */
export function useAuditPages(filters: string) {
  const [paging, setPaging] = useState<Paging>({
    filters,
    before: undefined,
    previous: [],
  });
  const [page, setPage] = useState<AuditEventPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [loading, setLoading] = useState(true);

  // New filters start again at the newest events.
  if (paging.filters !== filters) {
    setPaging({ filters, before: undefined, previous: [] });
  }

  useEffect(() => {
    let current = true;
    setLoading(true);

    const query = new URLSearchParams(paging.filters);
    query.set('limit', String(PAGE_SIZE));
    if (paging.before !== undefined) query.set('before', String(paging.before));

    api
      .get<AuditEventPage>(`/api/audit-events?${query}`)
      .then((loaded) => {
        if (!current) return;
        setPage(loaded);
        setError(null);
        setFields({});
      })
      .catch((caught) => {
        if (!current) return;
        const failure = toApiError(caught);
        setPage(null);
        setError(failure.message);
        setFields(failure.fields);
      })
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
      before: nextCursor,
      previous: [...shown.previous, shown.before],
    }));
  }, [nextCursor]);

  const goPrevious = useCallback(() => {
    setPaging((shown) => shown.previous.length === 0 ? shown : ({
      ...shown,
      before: shown.previous.at(-1),
      previous: shown.previous.slice(0, -1),
    }));
  }, []);

  return {
    events: page?.events ?? [],
    loading,
    error,
    /** Filter name → what is wrong with it. */
    fields,
    hasNext: nextCursor !== null,
    hasPrevious: paging.previous.length > 0,
    pageNumber: paging.previous.length + 1,
    goNext,
    goPrevious,
  };
}
