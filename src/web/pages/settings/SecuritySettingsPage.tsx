/** Settings › Security: the two-factor policy and session lifetimes. */
import { useRef, useState, type FormEvent } from 'react';
import type { SecuritySettings } from '../../../api/schemas.ts';
import { api, toApiError } from '../../api.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { Field } from '../../components/Field.tsx';
import { PageHeading } from '../../components/PageHeading.tsx';
import { StatusMessage } from '../../components/StatusMessage.tsx';
import { useFocusOnError } from '../../hooks/useFocusOnError.ts';
import { useFormFailure } from '../../hooks/useFormFailure.ts';
import {
  bodyOf,
  valuesOf,
  type SecurityFormValues,
} from './securitySettingsForm.ts';
import { TwoFactorImpact } from './TwoFactorImpact.tsx';
import { TwoFactorModeFieldset } from './TwoFactorModeFieldset.tsx';
import { useSecuritySettings } from './useSecuritySettings.ts';

/** /settings/security: loads the settings, then shows the form. */
export function SecuritySettingsPage() {
  const { settings, error } = useSecuritySettings();

  return (
    <>
      <PageHeading>Security</PageHeading>
      {settings === null && error === null && (
        <p className="loading">Loading…</p>
      )}
      {error !== null && <ErrorAlert message={error} />}
      {settings !== null && <SecuritySettingsForm loaded={settings} />}
    </>
  );
}

function SecuritySettingsForm({ loaded }: { loaded: SecuritySettings }) {
  const [saved, setSaved] = useState(loaded);
  const [values, setValues] = useState(() => valuesOf(loaded));
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  const { failure, message, fields, fail, clearField } = useFormFailure();
  const form = useRef<HTMLFormElement>(null);
  const alert = useRef<HTMLDivElement>(null);
  useFocusOnError(failure, form, alert);

  const { defaults } = saved;
  const switchingToEmail =
    values.twoFactor === 'email' && saved.twoFactor !== 'email';

  function change(next: Partial<SecurityFormValues>) {
    setValues((shown) => ({ ...shown, ...next }));
    setStatus(null);
    for (const name of Object.keys(next)) clearField(name);
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);

    try {
      const answer = await api.put<SecuritySettings>(
        '/api/settings/security',
        bodyOf(values),
      );
      setSaved(answer);
      setValues(valuesOf(answer));
      setStatus('Security settings saved');
    } catch (caught) {
      fail(toApiError(caught));
    }
    setBusy(false);
  }

  return (
    <>
      <ErrorAlert ref={alert} message={message} />
      <form ref={form} onSubmit={save} noValidate>
        <TwoFactorModeFieldset
          mode={values.twoFactor}
          error={fields.twoFactor}
          onChange={(twoFactor) => change({ twoFactor })}
        />
        <TwoFactorImpact show={switchingToEmail} />
        <Field
          label="Be idle for"
          name="sessionIdleMinutes"
          inputMode="numeric"
          autoComplete="off"
          className="input-short"
          hint={
            'Minutes without a request before a session ends. Leave empty ' +
            `for the default: ${defaults.sessionIdleMinutes} minutes.`
          }
          value={values.sessionIdleMinutes}
          onChange={(event) => change({ sessionIdleMinutes: event.target.value })}
          error={fields.sessionIdleMinutes}
        />
        <Field
          label="Session lifetime"
          name="sessionMaxHours"
          inputMode="numeric"
          autoComplete="off"
          className="input-short"
          hint={
            'Hours after sign-in before a session ends, however busy. Leave ' +
            `empty for the default: ${defaults.sessionMaxHours} hours.`
          }
          value={values.sessionMaxHours}
          onChange={(event) => change({ sessionMaxHours: event.target.value })}
          error={fields.sessionMaxHours}
        />
        <p className="hint">
          Lifetimes apply to every session at its next request; Email MFA
          applies at each person’s next sign-in.
        </p>
        <StatusMessage message={status} />
        <div className="form-actions">
          <button type="submit" className="button-primary">
            Save
          </button>
        </div>
      </form>
    </>
  );
}
