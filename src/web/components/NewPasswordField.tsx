/**
 * The input for a new password, with what helps to choose one under it:
 * the rules, then a live strength hint. Both describe the input
 * (aria-describedby), so a screen reader reads them when it gets focus.
 *
 * They sit under the input rather than between it and its label, so the
 * label stays next to what it names.
 */
import { useId } from 'react';
import { Field, type FieldProps } from './Field.tsx';
import { PasswordRules } from './PasswordRules.tsx';
import { PasswordStrength } from './PasswordStrength.tsx';

type NewPasswordFieldProps = Omit<
  FieldProps,
  'value' | 'hint' | 'describedBy' | 'below'
> & {
  value: string;
  /** The person's name and email: a password built on them is weak. */
  userInputs: string[];
};

/** A "new-password" input with rules and strength. */
export function NewPasswordField(props: NewPasswordFieldProps) {
  const { userInputs, value, ...fieldProps } = props;
  const id = useId();
  const rulesId = `${id}-rules`;
  const strengthId = `${id}-strength`;

  return (
    <Field
      autoComplete="new-password"
      {...fieldProps}
      value={value}
      describedBy={`${rulesId} ${strengthId}`}
      below={
        <>
          <PasswordRules id={rulesId} />
          <PasswordStrength
            id={strengthId}
            password={value}
            userInputs={userInputs}
          />
        </>
      }
    />
  );
}
