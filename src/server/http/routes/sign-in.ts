/**
 * Sign-in, security code, invitation link, personalise password, sign-out.
 * Each route names the state it accepts; the domain checks it again.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import {
  codeBody,
  personaliseBody,
  signInBody,
  tokenBody,
  type Me,
  type SignInResult,
} from '../../../api/schemas.ts';
import type { DomainContext } from '../../auth/context.ts';
import { cancelPending } from '../../auth/pending-sign-in.ts';
import { endSession } from '../../auth/session.ts';
import {
  acceptInvitation,
  codeStatus,
  personalisePassword,
  resendSecurityCode,
  signInWithPassword,
  verifySecurityCode,
  type Outcome,
} from '../../auth/sign-in.ts';
import { recordAudit } from '../../audit/audit.ts';
import { AppError } from '../../errors.ts';
import { rolesOf } from '../../users/user.ts';
import {
  clearPendingCookie,
  clearSessionCookie,
  PENDING_COOKIE,
  SESSION_COOKIE,
  setDeviceCookie,
  setPendingCookie,
  setSessionCookie,
} from '../cookies.ts';
import { requestMeta, requireSession } from '../guards.ts';
import { safeNextPath } from '../safe-redirect.ts';
import { parseInput } from '../validate.ts';

const PAGES = { code: '/sign-in/code', personalise: '/personalise-password' };

export function signInRoutes(app: FastifyInstance, ctx: DomainContext): void {
  const { config } = ctx;

  /** Hands the browser the token of the step it reached, and only that. */
  function answer(reply: FastifyReply, outcome: Outcome, next?: unknown): SignInResult {
    if (outcome.step === 'home') {
      clearPendingCookie(reply, config);
      setSessionCookie(
        reply,
        config,
        outcome.sessionToken,
        outcome.sessionExpiresAt,
        ctx.clock(),
      );
      setDeviceCookie(reply, config, outcome.deviceToken);
      return { step: 'home', redirect: safeNextPath(next, config.publicUrl) };
    }
    clearSessionCookie(reply, config);
    setPendingCookie(reply, config, outcome.pendingToken);
    const page = PAGES[outcome.step];
    if (!next) return { step: outcome.step, redirect: page };
    const path = safeNextPath(next, config.publicUrl);
    return { step: outcome.step, redirect: `${page}?next=${encodeURIComponent(path)}` };
  }

  /** A pending sign-in that became void takes its cookie with it. */
  async function guardPending<T>(reply: FastifyReply, work: () => Promise<T>) {
    try {
      return await work();
    } catch (error) {
      if (
        error instanceof AppError &&
        (error.code === 'SIGN_IN_REQUIRED' || error.code === 'CODE_TRIES_USED')
      ) {
        clearPendingCookie(reply, config);
      }
      throw error;
    }
  }

  app.post('/api/sign-in', async (request, reply) => {
    const body = parseInput(signInBody, request.body);
    const outcome = await signInWithPassword(
      ctx,
      body.email,
      body.password,
      requestMeta(request),
    );
    return answer(reply, outcome, body.next);
  });

  app.get('/api/sign-in/code', (request, reply) =>
    guardPending(reply, () => codeStatus(ctx, request.cookies[PENDING_COOKIE])),
  );

  app.post('/api/sign-in/code', (request, reply) =>
    guardPending(reply, async () => {
      const body = parseInput(codeBody, request.body);
      // A `next` that is not one path is dropped, not refused: the code
      // was right, and Home is a fine place to land.
      const { next } = request.query as { next?: unknown };
      const outcome = await verifySecurityCode(
        ctx,
        request.cookies[PENDING_COOKIE],
        body.code,
        requestMeta(request),
      );
      return answer(reply, outcome, next);
    }),
  );

  app.post('/api/sign-in/code/resend', (request, reply) =>
    guardPending(reply, () =>
      resendSecurityCode(ctx, request.cookies[PENDING_COOKIE], requestMeta(request)),
    ),
  );

  app.post('/api/sign-in/cancel', async (request, reply) => {
    const token = request.cookies[PENDING_COOKIE];
    if (token) await cancelPending(ctx, token);
    clearPendingCookie(reply, config);
    return reply.code(204).send();
  });

  app.post('/api/invitations/accept', async (request, reply) => {
    const body = parseInput(tokenBody, request.body);
    const outcome = await acceptInvitation(ctx, body.token, requestMeta(request));
    return answer(reply, outcome);
  });

  app.post('/api/password/personalise', (request, reply) =>
    guardPending(reply, async () => {
      const body = parseInput(personaliseBody, request.body);
      const outcome = await personalisePassword(
        ctx,
        request.cookies[PENDING_COOKIE],
        body.newPassword,
        body.confirmPassword,
        requestMeta(request),
      );
      return answer(reply, outcome);
    }),
  );

  // Sign-out ends whatever this browser holds, session or pending.
  app.post('/api/sign-out', async (request, reply) => {
    const sessionToken = request.cookies[SESSION_COOKIE];
    const pendingToken = request.cookies[PENDING_COOKIE];
    if (sessionToken) {
      const session = await requireSession(ctx, request).catch(() => null);
      await endSession(ctx, sessionToken);
      if (session) {
        await recordAudit(ctx.db, ctx.clock(), {
          event: 'sign_out',
          actor: session.user,
          target: session.user,
          ip: request.ip,
        });
      }
    }
    if (pendingToken) await cancelPending(ctx, pendingToken);
    clearSessionCookie(reply, config);
    clearPendingCookie(reply, config);
    return reply.code(204).send();
  });

  app.get('/api/me', async (request): Promise<Me> => {
    const { user } = await requireSession(ctx, request);
    return {
      id: user.id,
      email: user.email,
      firstName: user.first_name,
      lastName: user.last_name,
      roles: rolesOf(user),
    };
  });
}
