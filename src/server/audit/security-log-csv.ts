/**
 * The Security Log as CSV, for a spreadsheet or an auditor. csv-stringify
 * quotes what needs quoting; `escape_formulas` prefixes a quote to any cell
 * that starts with = + - @, tab or carriage return, so that a name such as
 * =HYPERLINK(…) is shown, never run (OWASP "CSV injection").
 */
import { pipeline, Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { Kysely } from 'kysely';
import { detailWords, eventLabel } from '../../api/audit-words.ts';
import type { AuditEventRow, AuditFilters } from '../../api/schemas.ts';
import type { Database } from '../db/schema.ts';
import { checkFilters, everyAuditEvent } from './security-log.ts';

const COLUMNS = [
  'ID',
  'Time (UTC)',
  'Event',
  'Event code',
  'Who (name)',
  'Who (email)',
  'To whom (name)',
  'To whom (email)',
  'Address',
  'Details',
];

function record(row: AuditEventRow): string[] {
  return [
    String(row.id),
    row.at,
    eventLabel(row.event),
    row.event,
    row.actor?.name ?? '',
    row.actor?.email ?? '',
    row.target?.name ?? '',
    row.target?.email ?? '',
    row.ip ?? '',
    detailWords(row.event, row.detail),
  ];
}

async function* records(db: Kysely<Database>, filters: AuditFilters) {
  for await (const row of everyAuditEvent(db, filters)) yield record(row);
}

/**
 * The filtered events, newest first, as a CSV stream read from the database
 * in batches, so a long trail never sits in memory whole. Filters are
 * checked before the first byte, so a bad one is a 400, not a cut file.
 */
export function securityLogCsv(
  db: Kysely<Database>,
  filters: AuditFilters,
): Readable {
  checkFilters(filters);

  // The byte-order mark tells Excel the file is UTF-8, so "Zoë" stays Zoë.
  const csv = stringify({
    bom: true,
    header: true,
    columns: COLUMNS,
    escape_formulas: true,
  });
  pipeline(Readable.from(records(db, filters)), csv, () => {
    // pipeline destroys both streams on a failure; the reply then ends.
  });
  return csv;
}
