/**
 * Refuses state-changing requests that a browser made on behalf of another
 * site (CSRF). Browsers label such requests with Sec-Fetch-Site and Origin;
 * SameSite=Lax cookies are the second wall. Clients that send neither
 * header are not browsers and carry no ambient cookies to abuse.
 */
import type { FastifyRequest } from 'fastify';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isCrossOrigin(request: FastifyRequest, publicUrl: URL): boolean {
  if (SAFE_METHODS.has(request.method)) return false;

  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return true;

  const origin = request.headers.origin;
  if (origin === undefined) return false;
  const own = new Set([publicUrl.origin, `${request.protocol}://${request.host}`]);
  return !own.has(origin);
}
