/**
 * A browser-like HTTP client for tests: keeps cookies, sends JSON, and by
 * default presents itself as a same-origin page of the portal.
 */
import { CookieJar } from 'tough-cookie';

export interface Answer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export class Client {
  readonly jar = new CookieJar();

  /**
   * `origin` is what the portal's own pages would send: PUBLIC_URL's
   * origin, which may differ from the address the test connects to.
   */
  constructor(
    readonly base: string,
    private readonly extraHeaders: Record<string, string> = {},
    private readonly origin = new URL(base).origin,
  ) {}

  async request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer<T>> {
    const url = new URL(path, this.base).href;
    const cookie = await this.jar.getCookieString(url);
    const sending = body !== undefined && method !== 'GET';

    const response = await fetch(url, {
      method,
      redirect: 'manual',
      headers: {
        ...(sending ? { 'content-type': 'application/json' } : {}),
        ...(method !== 'GET' ? { origin: this.origin } : {}),
        ...(cookie ? { cookie } : {}),
        ...this.extraHeaders,
        ...headers,
      },
      body: sending ? (typeof body === 'string' ? body : JSON.stringify(body)) : undefined,
    });

    for (const header of response.headers.getSetCookie()) {
      await this.jar.setCookie(header, url);
    }
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: parsed as T, headers: response.headers };
  }

  get<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('GET', path, undefined, headers);
  }

  post<T = any>(path: string, body: unknown = {}, headers?: Record<string, string>) {
    return this.request<T>('POST', path, body, headers);
  }

  patch<T = any>(path: string, body: unknown, headers?: Record<string, string>) {
    return this.request<T>('PATCH', path, body, headers);
  }

  /** The value of one cookie this client holds, if any. */
  async cookie(name: string): Promise<string | undefined> {
    const cookies = await this.jar.getCookies(this.base);
    return cookies.find((c) => c.key === name)?.value;
  }
}
