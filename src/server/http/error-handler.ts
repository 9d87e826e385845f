/**
 * Maps every failure to the error catalogue's body. Refusals are logged at
 * info, faults at error; the body of a 500 never says what went wrong.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
} from 'fastify';
import { isDatabaseUnavailable } from '../db/errors.ts';
import { AppError, ERRORS } from '../errors.ts';

/** Seconds a client is asked to wait while the database is away. */
const DATABASE_RETRY_AFTER = 5;

/** Fastify's own refusals, in the catalogue's words. */
function fromFastify(error: FastifyError): AppError | null {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('UNSUPPORTED_MEDIA');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('TOO_LARGE');
    case 'FST_ERR_BAD_URL':
    case 'FST_ERR_MAX_PARAM_LENGTH':
      // The path is not repeated back: it is the attacker's text.
      return new AppError('NOT_FOUND');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('BAD_REQUEST', { message: 'The request body is not valid JSON.' });
  }
  if (error instanceof SyntaxError) {
    return new AppError('BAD_REQUEST', { message: 'The request body is not valid JSON.' });
  }
  if (error.statusCode === 413) return new AppError('TOO_LARGE');
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return new AppError('BAD_REQUEST');
  }
  return null;
}

/** The body of a refusal, as every client of the API reads it. */
export function errorBody(error: AppError) {
  return {
    code: error.code,
    message: error.message,
    ...(error.fields ? { fields: error.fields } : {}),
    ...(error.retryAfter ? { retryAfter: error.retryAfter } : {}),
  };
}

/**
 * Answers for requests Fastify refuses before any route runs (a path that
 * is not valid UTF-8, an overlong id), in the catalogue's words.
 */
export function frameworkErrors(
  error: FastifyError,
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  const known = fromFastify(error) ?? new AppError('BAD_REQUEST');
  reply.code(known.status).send(errorBody(known));
}

/**
 * Node refuses some requests before Fastify sees them (headers over the
 * size limit); the socket still gets a JSON answer in the catalogue's form.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable) return;
  const known = new AppError(
    error.code === 'HPE_HEADER_OVERFLOW' ? 'HEADERS_TOO_LARGE' : 'BAD_REQUEST',
  );
  const body = JSON.stringify(errorBody(known));
  socket.end(
    `HTTP/1.1 ${known.status} ${STATUS_CODES[known.status]}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}

/** A browser opening a page, rather than the web app calling the API. */
function wantsPage(request: FastifyRequest): boolean {
  return (
    request.method === 'GET' &&
    !request.url.startsWith('/api/') &&
    (request.headers.accept ?? '').includes('text/html')
  );
}

/**
 * What a person sees instead of a page while the database is away: the
 * web app cannot load its data then, so the server says so itself. The
 * message is the catalogue's, with nothing from the request in it.
 */
function unavailablePage(message: string): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<title>Callvault is unavailable</title></head>',
    '<body><main><h1>Callvault is unavailable for a moment</h1>',
    `<p>${message}</p>`,
    '<p><a href="">Try again</a></p></main></body></html>',
  ].join('\n');
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (isDatabaseUnavailable(error)) {
      // Not a fault of this request, nor news worth a stack per request.
      request.log.warn({ event: 'database.unavailable', reason: error.message });
      const unavailable = new AppError('DATABASE_UNAVAILABLE', {
        retryAfter: DATABASE_RETRY_AFTER,
      });
      reply.header('retry-after', String(DATABASE_RETRY_AFTER));
      reply.code(unavailable.status);
      if (wantsPage(request)) {
        return reply
          .type('text/html; charset=utf-8')
          .send(unavailablePage(unavailable.message));
      }
      return reply.send(errorBody(unavailable));
    }

    const known = error instanceof AppError ? error : fromFastify(error);

    if (!known) {
      request.log.error({ err: error, event: 'request.failed' });
      const [status, message] = ERRORS.INTERNAL;
      return reply.code(status).send({ code: 'INTERNAL', message });
    }

    request.log.info({ event: 'request.refused', code: known.code });
    if (known.retryAfter) reply.header('retry-after', String(known.retryAfter));
    return reply.code(known.status).send(errorBody(known));
  });
}
