/**
 * A short message handed to the next page through the router's history
 * state, e.g. "Changes saved" after a form or why sign-in is needed again.
 */
export interface NoticeState {
  notice: string;
}

/** The notice in a location's state, if there is one. */
export function noticeFrom(state: unknown): string | null {
  if (typeof state !== 'object' || state === null) return null;
  const notice = (state as Partial<NoticeState>).notice;
  return typeof notice === 'string' ? notice : null;
}
