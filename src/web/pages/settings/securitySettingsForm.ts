/** Settings > Security's form values, and what the API is sent from them. */
import type { SecuritySettings, TwoFactorMode } from '../../../api/schemas.ts';

export interface SecurityFormValues {
  twoFactor: TwoFactorMode;
  /** As typed; empty means "the default". */
  sessionIdleMinutes: string;
  sessionMaxHours: string;
}

/** The form's starting values from the saved settings. */
export function valuesOf(settings: SecuritySettings): SecurityFormValues {
  return {
    twoFactor: settings.twoFactor,
    sessionIdleMinutes: settings.sessionIdleMinutes?.toString() ?? '',
    sessionMaxHours: settings.sessionMaxHours?.toString() ?? '',
  };
}

/**
 * Empty is null (the default), digits are a number, and anything else is
 * sent as typed so that the server's field message says what it wants.
 */
function limit(text: string): number | null | string {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  return /^\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
}

/** The PUT /api/settings/security body. */
export function bodyOf(values: SecurityFormValues) {
  return {
    twoFactor: values.twoFactor,
    sessionIdleMinutes: limit(values.sessionIdleMinutes),
    sessionMaxHours: limit(values.sessionMaxHours),
  };
}
