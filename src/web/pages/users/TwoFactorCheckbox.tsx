/** Whether the user must also enter a security code sent by email. */
import { useId } from 'react';
import { FieldError } from '../../components/Field.tsx';

interface TwoFactorCheckboxProps {
  checked: boolean;
  error: string | undefined;
  onChange: (checked: boolean) => void;
  /** Settings › Security asks everyone for a code: shown ticked, fixed. */
  forcedByPolicy?: boolean;
}

/** The "Two Factor Authentication" checkbox. */
export function TwoFactorCheckbox(props: TwoFactorCheckboxProps) {
  const { checked, error, onChange, forcedByPolicy = false } = props;
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = error === undefined ? hintId : `${hintId} ${errorId}`;

  return (
    <div className={error === undefined ? 'field' : 'field field-invalid'}>
      {error !== undefined && <FieldError id={errorId} message={error} />}
      <div className="check">
        <input
          id={id}
          type="checkbox"
          checked={checked || forcedByPolicy}
          disabled={forcedByPolicy}
          aria-invalid={error === undefined ? undefined : true}
          aria-describedby={describedBy}
          onChange={(event) => onChange(event.target.checked)}
        />
        <label htmlFor={id}>Two Factor Authentication</label>
      </div>
      <p id={hintId} className="hint">
        {forcedByPolicy
          ? 'Required for everyone by the company policy (Settings > Security).'
          : 'At sign-in, the user also enters a security code sent to their ' +
            'email.'}
      </p>
    </div>
  );
}
