/** The password rules the server enforces (OWASP ASVS 2.1), for display. */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

/** Length as the server counts it: characters, not UTF-16 code units. */
export function passwordLength(password: string): number {
  return [...password].length;
}
