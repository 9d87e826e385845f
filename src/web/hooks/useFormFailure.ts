/**
 * A form's last refusal by the server. Each field's message goes as soon
 * as the person edits that field: a red "too common" under a password
 * being retyped reads as a verdict on the new one.
 */
import { useCallback, useState } from 'react';
import type { ApiError } from '../api.ts';

/** The refusal, its field messages, and the moves that change them. */
export function useFormFailure() {
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});

  const fail = useCallback((error: ApiError) => {
    setFailure(error);
    setFields(error.fields);
  }, []);

  /** Forgets the refusal, after the form went through. */
  const clear = useCallback(() => {
    setFailure(null);
    setFields({});
  }, []);

  const clearField = useCallback((name: string) => {
    setFields((shown) => {
      if (!(name in shown)) return shown;
      const rest = { ...shown };
      delete rest[name];
      return rest;
    });
  }, []);

  // "Some fields need your attention" is stale once none does.
  const aboutFields = Object.keys(failure?.fields ?? {}).length > 0;
  const allCleared = aboutFields && Object.keys(fields).length === 0;
  const message = allCleared ? null : (failure?.message ?? null);

  return { failure, message, fields, fail, clear, clearField };
}
