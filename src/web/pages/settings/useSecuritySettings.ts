/**
 * The company's security settings, loaded once per page. The user form
 * uses them to show a two-factor box the policy forces.
 */
import { useEffect, useState } from 'react';
import type { SecuritySettings } from '../../../api/schemas.ts';
import { api, toApiError } from '../../api.ts';

export interface LoadedSettings {
  settings: SecuritySettings | null;
  error: string | null;
}

/** Loads GET /api/settings/security (administrators only). */
export function useSecuritySettings(): LoadedSettings {
  const [loaded, setLoaded] = useState<LoadedSettings>({
    settings: null,
    error: null,
  });

  useEffect(() => {
    let current = true;
    api
      .get<SecuritySettings>('/api/settings/security')
      .then((settings) => current && setLoaded({ settings, error: null }))
      .catch(
        (caught) =>
          current &&
          setLoaded({ settings: null, error: toApiError(caught).message }),
      );
    return () => {
      current = false;
    };
  }, []);

  return loaded;
}
