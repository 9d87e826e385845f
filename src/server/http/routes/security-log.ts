/**
 * Settings > Security Log: the audit trail, its event kinds and its CSV
 * export. Administrators only: the session, then the role, then the query.
 */
import type { FastifyInstance } from 'fastify';
import { eventLabel } from '../../../api/audit-words.ts';
import {
  auditEventsQuery,
  auditFiltersQuery,
  type AuditEventKind,
} from '../../../api/schemas.ts';
import { AUDIT_EVENTS, recordAudit } from '../../audit/audit.ts';
import { listAuditEvents } from '../../audit/security-log.ts';
import { securityLogCsv } from '../../audit/security-log-csv.ts';
import type { DomainContext } from '../../auth/context.ts';
import { requestMeta, requireAdministrator } from '../guards.ts';
import { parseInput } from '../validate.ts';

export function securityLogRoutes(app: FastifyInstance, ctx: DomainContext): void {
  app.get('/api/audit-events', async (request) => {
    await requireAdministrator(ctx, request);
    const query = parseInput(auditEventsQuery, request.query);
    return listAuditEvents(ctx.db, query);
  });

  app.get('/api/audit-events/kinds', async (request) => {
    await requireAdministrator(ctx, request);
    const kinds: AuditEventKind[] = AUDIT_EVENTS.map((event) => ({
      event,
      label: eventLabel(event),
    }));
    return { kinds };
  });

  app.get('/api/audit-events.csv', async (request, reply) => {
    const { user: admin } = await requireAdministrator(ctx, request);
    const filters = parseInput(auditFiltersQuery, request.query);
    const csv = securityLogCsv(ctx.db, filters);

    // Who took a copy of the trail, and of which part, is itself a
    // security event (ASVS 5.0 V16).
    await recordAudit(ctx.db, ctx.clock(), {
      event: 'audit.exported',
      actor: admin,
      ip: requestMeta(request).ip,
      detail: { filters },
    });
    const day = ctx.clock().toISOString().slice(0, 10);
    return reply
      .type('text/csv; charset=utf-8')
      .header(
        'content-disposition',
        `attachment; filename="callvault-security-log-${day}.csv"`,
      )
      .send(csv);
  });
}
