/**
 * Settings > Users. Two gates on every route: a session, then the
 * administrator role, checked before the body is even read.
 */
import type { FastifyInstance } from 'fastify';
import {
  createUserBody,
  listUsersQuery,
  updateUserBody,
} from '../../../api/schemas.ts';
import {
  createUser,
  getUser,
  listUsers,
  resendInvitation,
  updateUser,
} from '../../admin/users.ts';
import { deleteUser } from '../../admin/delete-user.ts';
import { signOutEverywhere } from '../../admin/sign-out-everywhere.ts';
import { sendPasswordReset } from '../../admin/password-reset.ts';
import type { DomainContext } from '../../auth/context.ts';
import { requestMeta, requireAdministrator } from '../guards.ts';
import { parseInput } from '../validate.ts';

type ById = { Params: { id: string } };

export function userRoutes(app: FastifyInstance, ctx: DomainContext): void {
  app.get('/api/users', async (request) => {
    await requireAdministrator(ctx, request);
    const query = parseInput(listUsersQuery, request.query);
    return listUsers(ctx, query);
  });

  app.post('/api/users', async (request, reply) => {
    const { user: admin } = await requireAdministrator(ctx, request);
    const body = parseInput(createUserBody, request.body);
    const created = await createUser(ctx, admin, body, requestMeta(request));
    return reply.code(201).send(created);
  });

  app.get<ById>('/api/users/:id', async (request) => {
    await requireAdministrator(ctx, request);
    return getUser(ctx, request.params.id);
  });

  app.patch<ById>('/api/users/:id', async (request) => {
    const { user: admin } = await requireAdministrator(ctx, request);
    const body = parseInput(updateUserBody, request.body);
    return updateUser(ctx, admin, request.params.id, body, requestMeta(request));
  });

  app.post<ById>('/api/users/:id/invitation', async (request) => {
    const { user: admin } = await requireAdministrator(ctx, request);
    return resendInvitation(ctx, admin, request.params.id, requestMeta(request));
  });

  app.post<ById>('/api/users/:id/password-reset', async (request) => {
    const { user: admin } = await requireAdministrator(ctx, request);
    return sendPasswordReset(ctx, admin, request.params.id, requestMeta(request));
  });

  app.post<ById>('/api/users/:id/sessions/end', async (request) => {
    const { user: admin } = await requireAdministrator(ctx, request);
    return signOutEverywhere(ctx, admin, request.params.id, requestMeta(request));
  });

  app.delete<ById>('/api/users/:id', async (request, reply) => {
    const { user: admin } = await requireAdministrator(ctx, request);
    await deleteUser(ctx, admin, request.params.id, requestMeta(request));
    return reply.code(204).send();
  });
}
