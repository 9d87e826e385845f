/**
 * Where to send a browser after sign-in: only a path on this origin. Full
 * URLs, "//host" and "/\host" (which browsers read as another host) and
 * anything that resolves elsewhere fall back to Home.
 */
export function safeNextPath(next: unknown, origin: URL): string {
  if (typeof next !== 'string' || !next.startsWith('/') || /^\/[\\/]/.test(next)) return '/';
  if (/[\u0000-\u001f\\]/.test(next)) return '/';

  let target: URL;
  try {
    target = new URL(next, origin);
  } catch {
    return '/';
  }
  if (target.origin !== origin.origin) return '/';
  // Dot segments resolve only now: "/..//evil.test" comes out "//evil.test".
  if (/^\/[\\/]/.test(target.pathname)) return '/';
  if (target.pathname.startsWith('/api/')) return '/';
  return target.pathname + target.search + target.hash;
}
