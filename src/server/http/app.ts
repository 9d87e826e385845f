/**
 * The Fastify application: plugins, the origin check, the error catalogue
 * and the routes by area. Knows nothing of how the process starts.
 */
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import Fastify, { type FastifyInstance } from 'fastify';
import pino, { type Logger, type LoggerOptions } from 'pino';
import type { DomainContext } from '../auth/context.ts';
import { AppError } from '../errors.ts';
import {
  clientErrorHandler,
  frameworkErrors,
  installErrorHandler,
} from './error-handler.ts';
import { isCrossOrigin, ownOrigins } from './origin-check.ts';
import { refuseNul } from './refuse-nul.ts';
import { accountRoutes } from './routes/account.ts';
import { healthRoutes } from './routes/health.ts';
import { mailboxRoutes } from './routes/mailbox.ts';
import { passwordResetRoutes } from './routes/password-reset.ts';
import { pageRoutes } from './routes/pages.ts';
import { securityLogRoutes } from './routes/security-log.ts';
import { securitySettingsRoutes } from './routes/security-settings.ts';
import { setupRoutes } from './routes/setup.ts';
import { signInRoutes } from './routes/sign-in.ts';
import { userRoutes } from './routes/users.ts';

export interface AppOptions {
  ctx: DomainContext;
  logger: Logger;
  /** Folder of the built web app (index.html, assets/). */
  webRoot: string;
  /** Serve /api/mailbox (only when mail goes to the local mailbox). */
  mailbox: boolean;
}

/** Pino settings: JSON, fields first, no secret in any line. */
export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: {
      paths: [
        'req.headers.cookie',
        'req.headers.authorization',
        'res.headers["set-cookie"]',
        '*.password',
        '*.currentPassword',
        '*.newPassword',
        '*.confirmPassword',
        '*.code',
        '*.token',
      ],
      censor: '[redacted]',
    },
    serializers: {
      // The path only: query strings and fragments may carry tokens.
      req: (req: { method: string; url: string; ip?: string; id?: string }) => ({
        id: req.id,
        method: req.method,
        path: req.url.split('?')[0],
        ip: req.ip,
      }),
      // `*.code` above hides security codes, and with them an error's own
      // code; a database error's SQLSTATE or a socket's errno is no secret
      // and says what went wrong, so it is kept under another name.
      err: (error: Error & { code?: unknown }) => ({
        ...pino.stdSerializers.err(error),
        errorCode: typeof error.code === 'string' ? error.code : undefined,
      }),
    },
  };
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { ctx } = options;
  // Fastify types a custom logger as its own; the pino instance fits it.
  const app = Fastify({
    loggerInstance: options.logger,
    // The socket's address is the client's; X-Forwarded-For counts only
    // when the socket is one of the proxies named in TRUST_PROXY.
    trustProxy: ctx.config.trustProxy.length > 0 ? ctx.config.trustProxy : false,
    bodyLimit: 64 * 1024,
    frameworkErrors,
    clientErrorHandler,
  }) as unknown as FastifyInstance;

  await app.register(fastifyCookie);
  // JSON only (docs/API.md). text/plain is one of the types a cross-site
  // form may post without a preflight, so it gets the 415 of any non-JSON.
  app.removeContentTypeParser('text/plain');
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: ctx.config.secureCookies ? [] : null,
      },
    },
    hsts: ctx.config.secureCookies,
  });

  const origins = ownOrigins(ctx.config.publicUrl);
  app.addHook('onRequest', async (request) => {
    if (isCrossOrigin(request, origins)) {
      throw new AppError('CROSS_ORIGIN');
    }
  });
  app.addHook('onSend', async (request, reply) => {
    if (request.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
  });
  refuseNul(app);
  installErrorHandler(app);

  healthRoutes(app, ctx);
  signInRoutes(app, ctx);
  setupRoutes(app, ctx);
  userRoutes(app, ctx);
  passwordResetRoutes(app, ctx);
  securityLogRoutes(app, ctx);
  securitySettingsRoutes(app, ctx);
  accountRoutes(app, ctx);
  if (options.mailbox) mailboxRoutes(app, ctx);
  await pageRoutes(app, ctx, options.webRoot);

  return app;
}
