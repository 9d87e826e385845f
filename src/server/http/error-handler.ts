/**
 * Maps every failure to the error catalogue's body. Refusals are logged at
 * info, faults at error; the body of a 500 never says what went wrong.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError, ERRORS } from '../errors.ts';

/** Fastify's own refusals, in the catalogue's words. */
function fromFastify(error: FastifyError): AppError | null {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('UNSUPPORTED_MEDIA');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('BAD_REQUEST', { message: 'The request body is not valid JSON.' });
  }
  if (error instanceof SyntaxError) {
    return new AppError('BAD_REQUEST', { message: 'The request body is not valid JSON.' });
  }
  if (error.statusCode === 413) {
    return new AppError('BAD_REQUEST', { message: 'The request is too large.' });
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return new AppError('BAD_REQUEST');
  }
  return null;
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const known = error instanceof AppError ? error : fromFastify(error);

    if (!known) {
      request.log.error({ err: error, event: 'request.failed' });
      const [status, message] = ERRORS.INTERNAL;
      return reply.code(status).send({ code: 'INTERNAL', message });
    }

    request.log.info({ event: 'request.refused', code: known.code });
    if (known.retryAfter) reply.header('retry-after', String(known.retryAfter));
    return reply.code(known.status).send({
      code: known.code,
      message: known.message,
      ...(known.fields ? { fields: known.fields } : {}),
      ...(known.retryAfter ? { retryAfter: known.retryAfter } : {}),
    });
  });
}
