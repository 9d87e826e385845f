/**
 * Measurement 5: Settings > Users at 100,000 users, as the admin's browser
 * asks for it: GET /api/users with `search`, `after` (the keyset cursor)
 * and `limit`. One request at a time, timed from our side of the socket
 * (request sent to last byte read), so the figure is what a person waits.
 */
import { cookieHeader, type Cookies } from './http.ts';
import { summarise, type LatencySummary } from './stats.ts';

/** The web app's page size (the API's default). */
const PAGE_SIZE = 25;
/** Requests not timed before each case: connection, JIT, caches. */
const WARM_UP_REQUESTS = 3;

export interface SearchCase {
  name: string;
  search?: string;
  /** Follow the cursor this many pages before timing the next one. */
  pagesDeep?: number;
}

export interface SearchResult extends LatencySummary {
  name: string;
  /** What the request asks, for the report. */
  query: string;
  /** Users on the timed page. */
  rows: number;
}

interface UserPage {
  users: unknown[];
  nextCursor: string | null;
}

async function getPage(
  base: string,
  cookie: string,
  params: Record<string, string>,
): Promise<{ page: UserPage; ms: number }> {
  const url = new URL('/api/users', base);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);

  const startedAt = performance.now();
  const response = await fetch(url, { headers: { cookie } });
  const text = await response.text();
  const ms = performance.now() - startedAt;
  if (response.status !== 200) {
    throw new Error(`GET /api/users answered ${response.status}`);
  }
  return { page: JSON.parse(text) as UserPage, ms };
}

/** Times one case `samples` times (or until `maxSeconds` have passed). */
export async function measureSearchCase(
  base: string,
  admin: Cookies,
  test: SearchCase,
  samples: number,
  maxSeconds: number,
): Promise<SearchResult> {
  const cookie = cookieHeader(admin);
  const params: Record<string, string> = { limit: String(PAGE_SIZE) };
  if (test.search) params.search = test.search;

  // Reach the page to time by following the cursor, as the "Next" button does.
  for (let page = 0; page < (test.pagesDeep ?? 0); page += 1) {
    const { page: found } = await getPage(base, cookie, params);
    if (!found.nextCursor) throw new Error(`${test.name}: no page ${page + 2}`);
    params.after = found.nextCursor;
  }

  let rows = 0;
  for (let i = 0; i < WARM_UP_REQUESTS; i += 1) {
    rows = (await getPage(base, cookie, params)).page.users.length;
  }
  const times: number[] = [];
  const deadline = performance.now() + maxSeconds * 1000;
  while (times.length < samples && performance.now() < deadline) {
    times.push((await getPage(base, cookie, params)).ms);
  }

  const shown = { ...params };
  if (shown.after) shown.after = '<cursor>';
  return {
    name: test.name,
    query: new URLSearchParams(shown).toString(),
    rows,
    ...summarise(times),
  };
}
