/**
 * Refuses state-changing requests that a browser made on behalf of another
 * site (CSRF). Browsers label such requests with Sec-Fetch-Site and Origin;
 * SameSite=Lax cookies are the second wall. Clients that send neither
 * header are not browsers and carry no ambient cookies to abuse.
 */
import type { FastifyRequest } from 'fastify';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The origins whose pages may change state: PUBLIC_URL's, and, when that is
 * a loopback name, the same port under the other loopback names (people
 * type localhost for 127.0.0.1). Never one taken from the Host header,
 * which a DNS-rebinding page controls.
 */
export function ownOrigins(publicUrl: URL): Set<string> {
  const origins = new Set([publicUrl.origin]);
  if (LOOPBACK_NAMES.has(publicUrl.hostname)) {
    for (const name of LOOPBACK_NAMES) {
      const alias = new URL(publicUrl.origin);
      alias.hostname = name;
      origins.add(alias.origin);
    }
  }
  return origins;
}

export function isCrossOrigin(request: FastifyRequest, own: Set<string>): boolean {
  if (SAFE_METHODS.has(request.method)) return false;

  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return true;

  const origin = request.headers.origin;
  return origin !== undefined && !own.has(origin);
}
