/**
 * The web app's pages. The server decides who may see a page, not the
 * page: a browser that owes a step is sent to that step's page, and a
 * stranger to sign-in, before any page is served.
 */
import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DomainContext } from '../../auth/context.ts';
import { browserState } from '../guards.ts';

/** Pages anyone may open. */
const OPEN_PAGES = new Set(['/sign-in', '/invitation', '/setup', '/mailbox']);
const STEP_PAGES = { code: '/sign-in/code', personalise: '/personalise-password' };

/** The page this browser may see at `pathname`, or where to send it. */
async function gate(
  ctx: DomainContext,
  request: FastifyRequest,
  pathname: string,
): Promise<string | null> {
  if (pathname === '/mailbox' || pathname === '/setup' || pathname === '/invitation') {
    return null;
  }
  // Open in every state: a browser half-way through someone's sign-in
  // must not be sent elsewhere, and a reset token must not ride along.
  if (pathname === '/forgot-password' || pathname === '/reset-password') {
    return null;
  }
  const state = await browserState(ctx, request);

  if (state.kind === 'code' || state.kind === 'personalise') {
    const own = STEP_PAGES[state.kind];
    return pathname === own || pathname === '/sign-in' ? null : own;
  }
  if (state.kind === 'signed_in') {
    const stepPage = Object.values(STEP_PAGES).includes(pathname);
    return pathname === '/sign-in' || stepPage ? '/' : null;
  }
  if (OPEN_PAGES.has(pathname)) return null;
  const next = pathname === '/' ? '' : `?next=${encodeURIComponent(request.url)}`;
  return `/sign-in${next}`;
}

export async function pageRoutes(
  app: FastifyInstance,
  ctx: DomainContext,
  webRoot: string,
): Promise<void> {
  const index = path.join(webRoot, 'index.html');
  const built = fs.existsSync(index);

  if (built) {
    await app.register(fastifyStatic, {
      root: path.join(webRoot, 'assets'),
      prefix: '/assets/',
      immutable: true,
      maxAge: '365d',
      index: false,
    });
  }

  async function servePage(request: FastifyRequest, reply: FastifyReply) {
    const pathname = request.url.split('?')[0] ?? '/';
    const redirect = await gate(ctx, request, pathname);
    if (redirect) return reply.redirect(redirect, 303);

    if (!built) {
      return reply
        .code(503)
        .type('text/plain')
        .send('The web app is not built yet: run "npm run build".');
    }
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(fs.createReadStream(index));
  }

  app.setNotFoundHandler(async (request, reply) => {
    const isPage =
      request.method === 'GET' &&
      !request.url.startsWith('/api/') &&
      !request.url.startsWith('/assets/') &&
      !path.extname(request.url.split('?')[0] ?? '');
    if (isPage) return servePage(request, reply);
    return reply.code(404).send({ code: 'NOT_FOUND', message: 'Not found.' });
  });
}
