/**
 * Refuses the NUL character (U+0000) anywhere in a request's path, query
 * or JSON body. PostgreSQL text cannot hold it and fails the whole query
 * that sends it, where SQLite simply finds nothing; no name, address, id,
 * token or search that Callvault knows has one. Refusing it at the door
 * makes both engines answer alike: 404 for a path, since nothing is named
 * that way, and 400 for anything else.
 */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.ts';

export function refuseNul(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    if (hasNul(request.params)) throw new AppError('NOT_FOUND');
    if (hasNul(request.query) || hasNul(request.body)) {
      throw new AppError('BAD_REQUEST', {
        message: 'Text cannot hold the NUL character (U+0000).',
      });
    }
  });
}

function hasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(hasNul);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).some(
      ([key, item]) => key.includes('\u0000') || hasNul(item),
    );
  }
  return false;
}
