/**
 * Talking to Callvault as a browser would: JSON bodies, the page's own
 * Origin on state changes, cookies carried by hand. And one wrapper around
 * autocannon that reports what every measurement needs.
 */
import autocannon from 'autocannon';

export type Cookies = Record<string, string>;

export function cookieHeader(cookies: Cookies): string {
  return Object.entries(cookies)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');
}

/** Cookies a response sets; a cleared cookie (Max-Age=0) is dropped. */
export function updateCookies(cookies: Cookies, response: Response): Cookies {
  const next = { ...cookies };
  for (const line of response.headers.getSetCookie()) {
    const [pair = ''] = line.split(';');
    const at = pair.indexOf('=');
    const name = pair.slice(0, at).trim();
    const value = pair.slice(at + 1).trim();
    if (/max-age=0/i.test(line) || value === '') delete next[name];
    else next[name] = value;
  }
  return next;
}

/** POSTs JSON the way the web app does, from the portal's own origin. */
export function postJson(
  base: string,
  path: string,
  body: unknown,
  cookies: Cookies = {},
): Promise<Response> {
  return fetch(new URL(path, base), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      origin: base,
      ...(Object.keys(cookies).length ? { cookie: cookieHeader(cookies) } : {}),
    },
    body: JSON.stringify(body),
  });
}

/** A password sign-in; the cookies that come back and the step reached. */
export async function signIn(
  base: string,
  email: string,
  password: string,
): Promise<{ status: number; step: string | null; cookies: Cookies }> {
  const response = await postJson(base, '/api/sign-in', { email, password });
  const body = (await response.json().catch(() => ({}))) as { step?: string };
  return {
    status: response.status,
    step: body.step ?? null,
    cookies: updateCookies({}, response),
  };
}

export interface LoadResult {
  /** Successful (2xx) answers per second. */
  okPerSecond: number;
  ok: number;
  /** Anything else: other statuses, connection errors, timeouts. */
  failed: number;
  statuses: Record<string, number>;
  latency: { p50: number; p99: number; average: number };
  seconds: number;
}

export interface LoadOptions {
  url: string;
  connections: number;
  seconds: number;
  /** Called before each request; returns its method, path, headers, body. */
  next?: () => autocannon.Request;
}

/**
 * Runs autocannon for a while. Latencies are autocannon's, taken over
 * every answer; with `excludeErrorStats` only over the 2xx ones, so that a
 * fast refusal could never make a route look quick.
 */
export async function load(options: LoadOptions): Promise<LoadResult> {
  const next = options.next;
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    excludeErrorStats: true,
    ...(next
      ? {
          requests: [
            {
              setupRequest: (request: autocannon.Request) => ({
                ...request,
                ...next(),
              }),
            },
          ],
        }
      : {}),
  });

  const statuses: Record<string, number> = {};
  let ok = 0;
  let answered = 0;
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) {
    const count = Number(stat.count ?? 0);
    statuses[code] = count;
    answered += count;
    if (code.startsWith('2')) ok += count;
  }
  const failed = answered - ok + result.errors;
  return {
    okPerSecond: ok / result.duration,
    ok,
    failed,
    statuses,
    latency: {
      p50: result.latency.p50,
      p99: result.latency.p99,
      average: result.latency.average,
    },
    seconds: result.duration,
  };
}
