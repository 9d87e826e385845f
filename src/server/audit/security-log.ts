/**
 * Settings > Security Log: the audit trail, newest first, filtered by user,
 * event kind and UTC dates. Keyset paging on the id (WHERE id < cursor)
 * costs the same on the first page and the thousandth.
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import type {
  AuditEventPage,
  AuditEventRow,
  AuditFilters,
  AuditPerson,
} from '../../api/schemas.ts';
import type { AuditEventsTable, Database } from '../db/schema.ts';
import { fieldError } from '../errors.ts';
import { AUDIT_EVENTS } from './audit.ts';

type AuditRecord = Selectable<AuditEventsTable>;

/**
 * Refuses filters the query could only misread: an event Callvault never
 * records, or a range that ends before it starts.
 */
export function checkFilters(filters: AuditFilters): void {
  const known: readonly string[] = AUDIT_EVENTS;
  if (filters.event && !known.includes(filters.event)) {
    throw fieldError('event', 'Choose one of the listed events.');
  }
  // ISO dates compare as text; no date arithmetic is needed.
  if (filters.from && filters.to && filters.from > filters.to) {
    throw fieldError('to', 'The end date is before the start date.');
  }
}

function selectFiltered(db: Kysely<Database>, filters: AuditFilters) {
  let select = db.selectFrom('audit_events').selectAll();

  if (filters.event) select = select.where('event', '=', filters.event);
  // Times are stored as toISOString(), so a day's bounds are text bounds.
  if (filters.from) {
    select = select.where('at', '>=', `${filters.from}T00:00:00.000Z`);
  }
  if (filters.to) {
    select = select.where('at', '<=', `${filters.to}T23:59:59.999Z`);
  }

  const user = filters.user?.toLowerCase();
  if (user) {
    // Wildcards typed by a person are matched literally.
    // TODO(limitation: collation) lower() folds only what the engine's
    // collation knows: ASCII on SQLite.
    const pattern = `%${user.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const like = (column: string) =>
      sql<boolean>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
    select = select.where((eb) =>
      eb.or([
        like('actor_email'),
        like('target_email'),
        like('actor_name'),
        like('target_name'),
      ]),
    );
  }
  return select;
}

/** One page of events, newest first. */
export async function listAuditEvents(
  db: Kysely<Database>,
  query: AuditFilters & { before?: number; limit: number },
): Promise<AuditEventPage> {
  checkFilters(query);

  let select = selectFiltered(db, query);
  if (query.before) select = select.where('id', '<', query.before);
  const rows = await select
    .orderBy('id', 'desc')
    .limit(query.limit + 1)
    .execute();
  const page = rows.slice(0, query.limit);

  return {
    events: page.map(toAuditEventRow),
    nextCursor: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null,
  };
}

/** Every event the filters select, newest first, read in batches. */
export async function* everyAuditEvent(
  db: Kysely<Database>,
  filters: AuditFilters,
  batch = 500,
): AsyncGenerator<AuditEventRow> {
  checkFilters(filters);

  let before: number | undefined;
  for (;;) {
    const page = await listAuditEvents(db, { ...filters, before, limit: batch });
    yield* page.events;
    if (page.nextCursor === null) return;
    before = page.nextCursor;
  }
}

function person(
  id: string | null,
  email: string | null,
  name: string | null,
): AuditPerson | null {
  if (id === null && email === null && name === null) return null;
  return { id, email, name };
}

function toAuditEventRow(row: AuditRecord): AuditEventRow {
  return {
    id: row.id,
    at: row.at,
    event: row.event,
    actor: person(row.actor_user_id, row.actor_email, row.actor_name),
    target: person(row.target_user_id, row.target_email, row.target_name),
    ip: row.ip,
    detail:
      row.detail === null
        ? null
        : (JSON.parse(row.detail) as AuditEventRow['detail']),
  };
}
