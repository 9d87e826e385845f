/**
 * Measurement 2, password sign-in throughput: POST /api/sign-in with the
 * right password of a different seeded user (without two-factor) each
 * time, and every answer a new session.
 *
 * Within the rules: attempts are counted before they are judged (see
 * auth/throttle.ts), so sign-ins in flight at one moment count as
 * failures of this client address until they succeed. More than 20 in
 * flight from one address would trip the client limit, so the load uses
 * fewer connections than that; enough to keep argon2's threads busy.
 */
import type { SeededUser } from './seed.ts';
import { load, type LoadResult } from './http.ts';

export interface SignInLoad {
  base: string;
  users: readonly SeededUser[];
  password: string;
  connections: number;
  seconds: number;
}

export function measurePasswordSignIn(options: SignInLoad): Promise<LoadResult> {
  let next = 0;
  const headers = { 'content-type': 'application/json', origin: options.base };
  return load({
    url: options.base,
    connections: options.connections,
    seconds: options.seconds,
    next: () => {
      const user = options.users[next % options.users.length]!;
      next += 1;
      return {
        method: 'POST',
        path: '/api/sign-in',
        headers,
        body: JSON.stringify({ email: user.email, password: options.password }),
      };
    },
  });
}
