/** The first-administrator setup page's API. */
import type { FastifyInstance } from 'fastify';
import { setupBody } from '../../../api/schemas.ts';
import type { DomainContext } from '../../auth/context.ts';
import { completeSetup, setupNeeded } from '../../auth/setup.ts';
import { requestMeta } from '../guards.ts';
import { parseInput } from '../validate.ts';

export function setupRoutes(app: FastifyInstance, ctx: DomainContext): void {
  app.get('/api/setup', async () => ({ needed: await setupNeeded(ctx) }));

  app.post('/api/setup', async (request, reply) => {
    const { token, ...input } = parseInput(setupBody, request.body);
    await completeSetup(ctx, token, input, requestMeta(request));
    return reply.code(201).send({ done: true });
  });
}
