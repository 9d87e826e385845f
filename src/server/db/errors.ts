/** Database errors the domain reacts to, whatever the engine. */

/** A UNIQUE constraint refused the row (SQLite or PostgreSQL). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    code === '23505'
  );
}

/** node-postgres's words for a connection that broke or never came. */
const DROPPED_CONNECTION = new RegExp(
  '^(Connection terminated' +
    '|timeout exceeded when trying to connect' +
    '|Client has encountered a connection error)',
);

/** Network failures on the way to PostgreSQL. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * The database could not be reached or went away mid-query: the request
 * did not happen and may be sent again. SQLSTATE class 08 is "connection
 * exception"; 57P01–57P03 are the server shutting down or starting up;
 * 53300 is "too many connections". node-postgres reports a dropped
 * connection or a full pool only in words.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || code.startsWith('08')) return true;
    if (['57P01', '57P02', '57P03', '53300', 'SQLITE_BUSY'].includes(code)) {
      return true;
    }
  }
  const message = error instanceof Error ? error.message : '';
  return DROPPED_CONNECTION.test(message);
}
