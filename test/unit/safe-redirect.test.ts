/**
 * Where a browser goes after sign-in. An open redirect on the sign-in page
 * is a phishing kit: "sign in at the real portal, land on ours". Only a
 * path on this origin may come out of `safeNextPath`.
 */
import { describe, expect, it } from 'vitest';
import { safeNextPath } from '../../src/server/http/safe-redirect.ts';

const origin = new URL('http://127.0.0.1:3000');

describe('safeNextPath', () => {
  it('keeps a path on this origin with its query and fragment', () => {
    expect(safeNextPath('/settings/users?x=1', origin)).toBe('/settings/users?x=1');
    expect(safeNextPath('/settings/users#top', origin)).toBe('/settings/users#top');
    expect(safeNextPath('/', origin)).toBe('/');
  });

  it('sends a browser with no next, or an empty one, to Home', () => {
    expect(safeNextPath(undefined, origin)).toBe('/');
    expect(safeNextPath('', origin)).toBe('/');
  });

  it.each([
    'https://evil.test',
    'http://127.0.0.1:3000.evil.test/',
    '//evil.test',
    '///evil.test',
    '/\\evil.test',
    '\\\\evil.test',
    '\\/evil.test',
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    ' //evil.test',
    'evil.test',
    'https:evil.test',
  ])('refuses %j, which leaves the origin', (next) => {
    expect(safeNextPath(next, origin)).toBe('/');
  });

  // A browser reads tab, newline and carriage return out of a URL before it
  // parses it, so "/\t/evil.test" would be "//evil.test" by then.
  it.each(['/\t/evil.test', '/\n/evil.test', '/\r/evil.test', '/\u0000/evil.test'])(
    'refuses %j, a control character that hides a second slash',
    (next) => {
      expect(safeNextPath(next, origin)).toBe('/');
    },
  );

  // Dot segments are resolved before the check can see them: "/..//x"
  // becomes "//x", which a browser follows to host x.
  it.each([
    '/..//evil.test',
    '/.//evil.test',
    '/x/..//evil.test',
    '/%2e%2e//evil.test',
    '/%2E//evil.test',
    '/../\\evil.test',
  ])('refuses %j, whose dot segments resolve to another host', (next) => {
    const path = safeNextPath(next, origin);

    expect(path.startsWith('/')).toBe(true);
    expect(path).not.toMatch(/^\/[\\/]/);
    expect(new URL(path, origin).origin).toBe(origin.origin);
  });

  it('refuses API paths, which are not pages to land on', () => {
    expect(safeNextPath('/api/users', origin)).toBe('/');
    expect(safeNextPath('/api/sign-out', origin)).toBe('/');
  });

  it('never returns a path that a browser resolves elsewhere', () => {
    const attempts = [
      '/%2F%2Fevil.test',
      '/%5C%5Cevil.test',
      '/@evil.test',
      '/.evil.test',
      '/ /evil.test',
    ];

    for (const next of attempts) {
      const path = safeNextPath(next, origin);
      expect(path.startsWith('/'), next).toBe(true);
      expect(path, next).not.toMatch(/^\/[\\/]/);
      expect(new URL(path, origin).origin, next).toBe(origin.origin);
    }
  });
});
