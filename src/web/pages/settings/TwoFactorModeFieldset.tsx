/**
 * The company-wide "Two Factor Authentication" choice. App MFA is shown,
 * disabled, so administrators know a stronger factor is on its way.
 */
import { useId } from 'react';
import type { TwoFactorMode } from '../../../api/schemas.ts';
import { FieldError } from '../../components/Field.tsx';

interface Choice {
  value: TwoFactorMode | 'app';
  label: string;
  hint: string;
}

const CHOICES: Choice[] = [
  {
    value: 'none',
    label: 'No MFA',
    hint: 'Each user’s own Two Factor Authentication box decides.',
  },
  {
    value: 'email',
    label: 'Email MFA',
    hint:
      'Everyone enters a security code sent by email at sign-in. Better ' +
      'than a password alone, weaker than an authenticator app.',
  },
  {
    value: 'app',
    label: 'App MFA',
    hint: 'Authenticator apps come in a later version of Callvault.',
  },
];

interface TwoFactorModeFieldsetProps {
  mode: TwoFactorMode;
  error: string | undefined;
  onChange: (mode: TwoFactorMode) => void;
}

/** The "Two Factor Authentication" fieldset of radio buttons. */
export function TwoFactorModeFieldset(props: TwoFactorModeFieldsetProps) {
  const { mode, error, onChange } = props;
  const id = useId();
  const errorId = `${id}-error`;

  return (
    <fieldset
      className={error === undefined ? 'fieldset' : 'fieldset field-invalid'}
      aria-describedby={error === undefined ? undefined : errorId}
    >
      <legend>Two Factor Authentication</legend>
      {error !== undefined && <FieldError id={errorId} message={error} />}
      {CHOICES.map((choice) => {
        const inputId = `${id}-${choice.value}`;
        const available = choice.value !== 'app';
        return (
          <div className="choice" key={choice.value}>
            <div className="check">
              <input
                id={inputId}
                type="radio"
                name="twoFactor"
                value={choice.value}
                disabled={!available}
                checked={mode === choice.value}
                aria-describedby={`${inputId}-hint`}
                onChange={() => {
                  if (choice.value !== 'app') onChange(choice.value);
                }}
              />
              <label htmlFor={inputId}>{choice.label}</label>
            </div>
            <p id={`${inputId}-hint`} className="hint choice-hint">
              {choice.hint}
            </p>
          </div>
        );
      })}
    </fieldset>
  );
}
