/**
 * The gates every route passes first. `requireSession` lets in only a full
 * session; a pending sign-in gets a 401 naming the step it owes.
 * `requireAdministrator` is the second gate of every admin route.
 */
import type { FastifyRequest } from 'fastify';
import type { DomainContext, RequestMeta } from '../auth/context.ts';
import { findPending } from '../auth/pending-sign-in.ts';
import { findSession, type ActiveSession } from '../auth/session.ts';
import { recordAudit } from '../audit/audit.ts';
import { AppError } from '../errors.ts';
import { DEVICE_COOKIE, PENDING_COOKIE, SESSION_COOKIE } from './cookies.ts';

export type BrowserState =
  | { kind: 'signed_in'; session: ActiveSession }
  | { kind: 'code' | 'personalise' }
  | { kind: 'anonymous' };

export function requestMeta(request: FastifyRequest): RequestMeta {
  const agent = request.headers['user-agent'];
  return {
    ip: request.ip ?? null,
    userAgent: agent ? agent.slice(0, 400) : null,
    deviceToken: request.cookies[DEVICE_COOKIE] ?? null,
  };
}

/** Where this browser is in the journey, from its cookies. */
export async function browserState(
  ctx: DomainContext,
  request: FastifyRequest,
): Promise<BrowserState> {
  const sessionToken = request.cookies[SESSION_COOKIE];
  if (sessionToken) {
    const session = await findSession(ctx, sessionToken);
    if (session) return { kind: 'signed_in', session };
  }

  const pendingToken = request.cookies[PENDING_COOKIE];
  if (pendingToken) {
    const found = await findPending(ctx, ctx.db, pendingToken);
    if (found) return { kind: found.pending.stage };
  }
  return { kind: 'anonymous' };
}

/** The session, or a 401 that tells the web app which step is owed. */
export async function requireSession(
  ctx: DomainContext,
  request: FastifyRequest,
): Promise<ActiveSession> {
  const state = await browserState(ctx, request);
  if (state.kind === 'signed_in') return state.session;
  if (state.kind === 'code') throw new AppError('CODE_REQUIRED');
  if (state.kind === 'personalise') throw new AppError('PASSWORD_REQUIRED');
  throw new AppError('SIGN_IN_REQUIRED');
}

/** The session of an administrator, or 403 (recorded) before anything else. */
export async function requireAdministrator(
  ctx: DomainContext,
  request: FastifyRequest,
): Promise<ActiveSession> {
  const session = await requireSession(ctx, request);
  if (!session.user.role_administrator) {
    await recordAudit(ctx.db, ctx.clock(), {
      event: 'access.denied',
      actor: session.user,
      ip: request.ip,
      detail: { method: request.method, route: request.routeOptions.url },
    });
    throw new AppError('FORBIDDEN');
  }
  return session;
}
