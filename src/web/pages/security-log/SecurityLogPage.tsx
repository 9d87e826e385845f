/**
 * Settings › Security Log: the audit trail, newest first, with filters
 * and a CSV export of exactly what the filters select.
 */
import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import type { AuditEventKind, AuditFilters } from '../../../api/schemas.ts';
import { api, toApiError } from '../../api.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { PageHeading } from '../../components/PageHeading.tsx';
import { UserPager } from '../users/UserPager.tsx';
import { SecurityLogFilters } from './SecurityLogFilters.tsx';
import { SecurityLogTable } from './SecurityLogTable.tsx';
import { useAuditPages } from './useAuditPages.ts';

const FILTER_NAMES = ['user', 'event', 'from', 'to'] as const;

/** The filters in the address; empty ones are left out. */
function filtersIn(params: URLSearchParams): URLSearchParams {
  const kept = new URLSearchParams();
  for (const name of FILTER_NAMES) {
    const value = params.get(name);
    if (value) kept.set(name, value);
  }
  return kept;
}

/** /settings/security-log */
export function SecurityLogPage() {
  const [params, setParams] = useSearchParams();
  const filters = filtersIn(params);
  const query = filters.toString();
  const list = useAuditPages(query);
  const kinds = useEventKinds();

  function apply(next: AuditFilters) {
    const wanted = new URLSearchParams();
    for (const name of FILTER_NAMES) {
      const value = next[name];
      if (value) wanted.set(name, value);
    }
    setParams(wanted);
  }

  const applied = Object.fromEntries(filters) as AuditFilters;
  const csvHref = `/api/audit-events.csv${query === '' ? '' : `?${query}`}`;

  return (
    <>
      <PageHeading>Security Log</PageHeading>
      <p>
        Every sign-in, security code, invitation and administrator change,
        newest first. Times are in UTC, with your local time below.
      </p>
      <SecurityLogFilters
        key={query}
        applied={applied}
        kinds={kinds.list}
        fields={list.fields}
        onApply={apply}
      />
      <p>
        <a href={csvHref} className="button-secondary" download>
          Export CSV
        </a>
      </p>
      <ErrorAlert message={list.error ?? kinds.error} />
      <SecurityLogTable events={list.events} loading={list.loading} />
      {!list.loading && list.events.length === 0 && list.error === null && (
        <p>{query === '' ? 'No events yet.' : 'No events match these filters.'}</p>
      )}
      <UserPager
        label="Pages of events"
        pageNumber={list.pageNumber}
        hasPrevious={list.hasPrevious}
        hasNext={list.hasNext}
        onPrevious={list.goPrevious}
        onNext={list.goNext}
      />
    </>
  );
}

/** The event kinds the server records, for the Event select. */
function useEventKinds() {
  const [list, setList] = useState<AuditEventKind[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    api
      .get<{ kinds: AuditEventKind[] }>('/api/audit-events/kinds')
      .then((loaded) => current && setList(loaded.kinds))
      .catch((caught) => current && setError(toApiError(caught).message));
    return () => {
      current = false;
    };
  }, []);

  return { list, error };
}
