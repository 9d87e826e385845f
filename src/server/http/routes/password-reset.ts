/**
 * "Forgot your password?" and the reset link. Both are open to anyone:
 * the link is the proof, and finishing signs nobody in, so no cookie is
 * read or set here.
 */
import type { FastifyInstance } from 'fastify';
import {
  forgotPasswordBody,
  resetPasswordBody,
  type ForgotPasswordResult,
} from '../../../api/schemas.ts';
import type { DomainContext } from '../../auth/context.ts';
import {
  requestPasswordReset,
  RESET_REQUESTED,
} from '../../auth/forgot-password.ts';
import { resetPassword } from '../../auth/reset-password.ts';
import { requestMeta } from '../guards.ts';
import { parseInput } from '../validate.ts';

export function passwordResetRoutes(
  app: FastifyInstance,
  ctx: DomainContext,
): void {
  app.post('/api/password/forgot', async (request) => {
    const body = parseInput(forgotPasswordBody, request.body);
    await requestPasswordReset(ctx, body.email, requestMeta(request));
    const answer: ForgotPasswordResult = { message: RESET_REQUESTED };
    return answer;
  });

  app.post('/api/password/reset', async (request, reply) => {
    const body = parseInput(resetPasswordBody, request.body);
    await resetPassword(
      ctx,
      body.token,
      body.newPassword,
      body.confirmPassword,
      requestMeta(request),
    );
    return reply.code(204).send();
  });
}
