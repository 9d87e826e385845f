/**
 * My account: change password, list and end one's own sessions. Every
 * route needs a full session; a pending sign-in gets the 401 of its step.
 */
import type { FastifyInstance } from 'fastify';
import {
  changePasswordBody,
  emptyBody,
  sessionParams,
  type AccountSessions,
} from '../../../api/schemas.ts';
import { changePassword } from '../../account/password-change.ts';
import {
  listSessions,
  signOutOtherSessions,
  signOutSession,
} from '../../account/sessions.ts';
import type { DomainContext } from '../../auth/context.ts';
import { clearSessionCookie } from '../cookies.ts';
import { requestMeta, requireSession } from '../guards.ts';
import { parseInput } from '../validate.ts';

export function accountRoutes(app: FastifyInstance, ctx: DomainContext): void {
  app.post('/api/account/password', async (request) => {
    const session = await requireSession(ctx, request);
    const body = parseInput(changePasswordBody, request.body);
    return changePassword(ctx, session, body, requestMeta(request));
  });

  app.get('/api/account/sessions', async (request): Promise<AccountSessions> => {
    const session = await requireSession(ctx, request);
    return { sessions: await listSessions(ctx, session) };
  });

  app.post('/api/account/sessions/sign-out-others', async (request) => {
    const session = await requireSession(ctx, request);
    parseInput(emptyBody, request.body ?? {});
    return signOutOtherSessions(ctx, session, requestMeta(request));
  });

  app.delete('/api/account/sessions/:id', async (request, reply) => {
    const session = await requireSession(ctx, request);
    const { id } = parseInput(sessionParams, request.params);
    const { current } = await signOutSession(ctx, session, id, requestMeta(request));
    // Ending this browser's own session is signing out.
    if (current) clearSessionCookie(reply, ctx.config);
    return reply.code(204).send();
  });
}
