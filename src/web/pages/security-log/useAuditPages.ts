/**
 * Loads the Security Log one page at a time, newest first. "Next" passes
 * the last page's cursor as `before`.
 */
import type { AuditEventPage } from '../../../api/schemas.ts';
import { api } from '../../api.ts';
import { useKeysetPages } from '../../hooks/useKeysetPages.ts';

export const PAGE_SIZE = 50;

/** `filters` is a query string, e.g. "event=sign_in.failed". */
function loadEvents(filters: string, before: number | undefined) {
  const query = new URLSearchParams(filters);
  query.set('limit', String(PAGE_SIZE));
  if (before !== undefined) query.set('before', String(before));

  return api.get<AuditEventPage>(`/api/audit-events?${query}`);
}

/** One page of events for the filters in `filters` (a query string). */
export function useAuditPages(filters: string) {
  const list = useKeysetPages(filters, loadEvents);

  return { ...list, events: list.page?.events ?? [] };
}
