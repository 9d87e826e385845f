/**
 * Measurement 4: single requests under load, each beside a bare Fastify
 * route measured with the same autocannon settings in the same run.
 *
 * - code verification: POST /api/sign-in/code, each request a different
 *   pending sign-in with its right code (seeded, see seed.ts), so that no
 *   request meets the five-tries rule and each is the real success path:
 *   check, consume, session, known device, audit;
 * - GET /api/me, the signed-in "who am I", over several users' sessions;
 * - GET /api/users, the first page of Settings > Users, as the admin.
 */
import { cookieHeader, load, type Cookies, type LoadResult } from './http.ts';
import type { KnownCode } from './seed.ts';

export interface RequestLoad {
  base: string;
  connections: number;
  seconds: number;
}

/** GET / on the bare Fastify server. */
export function measureBareRoute(options: RequestLoad): Promise<LoadResult> {
  const { base, connections, seconds } = options;
  return load({ url: base, connections, seconds });
}

/**
 * Every request spends one pending sign-in. Should the seeded ones run
 * out, the rest go without a cookie and are counted as failures.
 */
export function measureCodeVerification(
  options: RequestLoad,
  codes: readonly KnownCode[],
): Promise<LoadResult & { used: number }> {
  let next = 0;
  const headers = { 'content-type': 'application/json', origin: options.base };
  return load({
    url: options.base,
    connections: options.connections,
    seconds: options.seconds,
    next: () => {
      const known = codes[next];
      next += 1;
      return {
        method: 'POST',
        path: '/api/sign-in/code',
        headers: known
          ? { ...headers, cookie: `callvault_pending=${known.token}` }
          : headers,
        body: JSON.stringify({ code: known?.code ?? '000000' }),
      };
    },
  }).then((result) => ({ ...result, used: Math.min(next, codes.length) }));
}

/** A GET with one of `sessions` per request, in turn. */
export function measureSignedInRead(
  options: RequestLoad,
  path: string,
  sessions: readonly Cookies[],
): Promise<LoadResult> {
  const cookies = sessions.map(cookieHeader);
  let next = 0;
  return load({
    url: options.base,
    connections: options.connections,
    seconds: options.seconds,
    next: () => {
      const cookie = cookies[next % cookies.length]!;
      next += 1;
      return { method: 'GET', path, headers: { cookie } };
    },
  });
}
