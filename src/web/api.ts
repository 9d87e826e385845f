/**
 * The one way the web app talks to the server: JSON over fetch, with the
 * session cookie, and every error answer turned into an `ApiError`.
 */
import type { ApiError as ApiErrorBody } from '../api/schemas.ts';
import type { NoticeState } from './notice.ts';

/** An error answer from the API, or the failure to reach it at all. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: Record<string, string>;
  readonly retryAfter: number | undefined;

  constructor(status: number, body: ApiErrorBody) {
    super(body.message);
    this.name = 'ApiError';
    this.status = status;
    this.code = body.code;
    this.fields = body.fields ?? {};
    this.retryAfter = body.retryAfter;
  }
}

type Navigate = (
  path: string,
  options: { replace: boolean; state?: unknown },
) => void;

/** Until the router registers itself, a full page load does the job. */
let navigate: Navigate = (path) => window.location.assign(path);

/** Lets the router move the app when the server says a step is owed. */
export function setApiNavigator(next: Navigate): void {
  navigate = next;
}

/**
 * The server answers 401 with the step the browser owes; the page that
 * collects that step is where the person has to go.
 */
const PAGE_FOR_CODE: Record<string, string> = {
  SIGN_IN_REQUIRED: '/sign-in',
  CODE_REQUIRED: '/sign-in/code',
  PASSWORD_REQUIRED: '/personalise-password',
};

/** Pages that belong to the sign-in journey itself, never a `next`. */
const JOURNEY_PAGES = new Set([
  ...Object.values(PAGE_FOR_CODE),
  '/invitation',
  '/setup',
]);

const UNREACHABLE: ApiErrorBody = {
  code: 'NETWORK_ERROR',
  message:
    'Callvault could not be reached. Check your connection and try again.',
};

function unexpected(status: number): ApiErrorBody {
  return {
    code: 'UNEXPECTED_ANSWER',
    message: `Callvault answered with an unexpected error (${status}). ` +
      'Try again in a moment.',
  };
}

function isErrorBody(value: unknown): value is ApiErrorBody {
  if (typeof value !== 'object' || value === null) return false;
  const body = value as Record<string, unknown>;
  return typeof body.code === 'string' && typeof body.message === 'string';
}

/** 201 and 204 answers may have no body; a proxy may answer in HTML. */
async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;

  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Said on sign-in when a signed-in page learns that its session is gone:
 * an administrator changed the user's roles, two-factor or status, the
 * person signed out elsewhere, or the session expired.
 */
const SESSION_ENDED = 'Your session has ended. Please sign in again.';

/**
 * Said on sign-in when a new user's pending sign-in runs out before they
 * chose a password: they have none to sign in with, so "please sign in"
 * would strand them. Only a new invitation starts them again.
 */
const FIRST_SIGN_IN_EXPIRED =
  'Your first sign-in expired before you chose a password. Ask your ' +
  'administrator to send a new invitation.';

function sendToOwedStep(error: ApiError): void {
  const page = PAGE_FOR_CODE[error.code];
  const here = window.location.pathname;
  if (page === undefined || page === here) return;

  // Outside the journey, only a signed-in page calls what needs a
  // session, so "sign in" means that the session ended under the person.
  const sessionEnded = page === '/sign-in' && !JOURNEY_PAGES.has(here);
  // Coming back to where the session ran out beats starting at Home.
  const next = sessionEnded
    ? `?next=${encodeURIComponent(here + window.location.search)}`
    : '';
  // Only a new user chooses a password while their sign-in is pending.
  const firstSignInExpired =
    page === '/sign-in' && here === '/personalise-password';

  let notice = error.message;
  if (sessionEnded) notice = SESSION_ENDED;
  if (firstSignInExpired) notice = FIRST_SIGN_IN_EXPIRED;
  const state: NoticeState = { notice };
  navigate(page + next, { replace: true, state });
}

async function request<T>(
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const init: RequestInit = { method, headers, credentials: 'same-origin' };
  if (method !== 'GET') {
    // The server refuses state changes without a JSON content type.
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body ?? {});
  }

  let response: Response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, UNREACHABLE);
  }

  const payload = await readJson(response);
  if (response.ok) return payload as T;

  const errorBody = isErrorBody(payload)
    ? payload
    : unexpected(response.status);
  const error = new ApiError(response.status, errorBody);
  if (response.status === 401) sendToOwedStep(error);
  throw error;
}

/** Calls to the Callvault HTTP API (docs/API.md). */
export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body: unknown = {}) =>
    request<T>('POST', path, body),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  delete: <T>(path: string) => request<T>('DELETE', path),
};

/** Follows a server-given redirect, inside the app when it is a path. */
export function followRedirect(redirect: string): void {
  const isLocalPath = redirect.startsWith('/') && !redirect.startsWith('//');
  if (isLocalPath) navigate(redirect, { replace: true });
  else window.location.assign(redirect);
}

/** Turns anything thrown into something a page can show. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError(0, {
    code: 'WEB_APP_ERROR',
    message: 'Something went wrong on this page. Reload it and try again.',
  });
}
