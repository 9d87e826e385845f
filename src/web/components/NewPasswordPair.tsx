/**
 * The new password typed twice, with "Show password" under both. The forms
 * that ask for a password twice (choose, reset, change) share it, so the
 * rules, the strength hint and the field errors read the same on each.
 *
 * The page does not compare the two itself: the server does, and its
 * answer lands on `confirmPassword` like any other field error.
 */
import { Field } from './Field.tsx';
import { NewPasswordField } from './NewPasswordField.tsx';
import { ShowPasswordToggle } from './ShowPasswordToggle.tsx';

/** The names the API gives the two fields, and their errors. */
export type NewPasswordName = 'newPassword' | 'confirmPassword';

/** What the two fields hold. */
export type NewPasswords = Record<NewPasswordName, string>;

/** Both fields empty, for a form's start and after it went through. */
export const NO_NEW_PASSWORDS: NewPasswords = {
  newPassword: '',
  confirmPassword: '',
};

interface NewPasswordPairProps {
  value: NewPasswords;
  onChange: (value: NewPasswords) => void;
  /** The server's field messages; only the two fields' are read. */
  errors: Partial<Record<string, string>>;
  /** Called with the field the person edited, to drop its message. */
  onEdit: (name: NewPasswordName) => void;
  /**
   * Held by the form, because "Show password" also shows any other
   * password field in it, such as the current password.
   */
  shown: boolean;
  onShownChange: (shown: boolean) => void;
  /** The person's name and email: a password built on them is weak. */
  userInputs: string[];
  /** "Confirm new password" where a current password stands above. */
  confirmLabel?: string;
}

/** "New password", "Confirm password" and "Show password". */
export function NewPasswordPair(props: NewPasswordPairProps) {
  const { value, onChange, errors, onEdit } = props;
  const inputType = props.shown ? 'text' : 'password';

  function edit(name: NewPasswordName, typed: string) {
    onChange({ ...value, [name]: typed });
    onEdit(name);
  }

  return (
    <>
      <NewPasswordField
        label="New password"
        name="newPassword"
        type={inputType}
        required
        value={value.newPassword}
        onChange={(event) => edit('newPassword', event.target.value)}
        error={errors.newPassword}
        userInputs={props.userInputs}
      />
      <Field
        label={props.confirmLabel ?? 'Confirm password'}
        name="confirmPassword"
        type={inputType}
        autoComplete="new-password"
        required
        value={value.confirmPassword}
        onChange={(event) => edit('confirmPassword', event.target.value)}
        error={errors.confirmPassword}
      />
      <ShowPasswordToggle
        checked={props.shown}
        onChange={props.onShownChange}
      />
    </>
  );
}
