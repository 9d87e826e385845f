/** Liveness and readiness, for load balancers and process managers. */
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import type { DomainContext } from '../../auth/context.ts';

export function healthRoutes(app: FastifyInstance, ctx: DomainContext): void {
  app.get('/healthz', async () => ({ ok: true }));

  app.get('/readyz', async (_request, reply) => {
    try {
      await sql`select 1`.execute(ctx.db);
      return { ok: true };
    } catch {
      return reply.code(503).send({ ok: false, database: 'unreachable' });
    }
  });
}
