/** The "Show password" checkbox: seeing what you type prevents typos. */
import { useId } from 'react';

interface ShowPasswordToggleProps {
  checked: boolean;
  onChange: (checked: boolean) => void;
}

/** A checkbox that shows or hides the password fields. */
export function ShowPasswordToggle(props: ShowPasswordToggleProps) {
  const id = useId();

  return (
    <div className="check">
      <input
        id={id}
        type="checkbox"
        checked={props.checked}
        onChange={(event) => props.onChange(event.target.checked)}
      />
      <label htmlFor={id}>Show password</label>
    </div>
  );
}
