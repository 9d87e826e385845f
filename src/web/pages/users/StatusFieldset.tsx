/** Active or Disabled, for users who have accepted their invitation. */
import { useId } from 'react';
import { FieldError } from '../../components/Field.tsx';

type Choice = 'active' | 'disabled';

const CHOICES: { value: Choice; label: string }[] = [
  { value: 'active', label: 'Active' },
  { value: 'disabled', label: 'Disabled' },
];

interface StatusFieldsetProps {
  status: Choice;
  error: string | undefined;
  onChange: (status: Choice) => void;
}

/** The "Status" fieldset of radio buttons. */
export function StatusFieldset(props: StatusFieldsetProps) {
  const { status, error, onChange } = props;
  const id = useId();
  const errorId = `${id}-error`;

  return (
    <fieldset
      className={error === undefined ? 'fieldset' : 'fieldset field-invalid'}
      aria-describedby={error === undefined ? undefined : errorId}
    >
      <legend>Status</legend>
      {error !== undefined && <FieldError id={errorId} message={error} />}
      {CHOICES.map((choice) => (
        <div className="check" key={choice.value}>
          <input
            id={`${id}-${choice.value}`}
            type="radio"
            name="status"
            value={choice.value}
            checked={status === choice.value}
            aria-invalid={error === undefined ? undefined : true}
            onChange={() => onChange(choice.value)}
          />
          <label htmlFor={`${id}-${choice.value}`}>{choice.label}</label>
        </div>
      ))}
    </fieldset>
  );
}
