/**
 * A live hint of how strong a new password is. It speaks politely and
 * only once typing pauses, so a screen reader is not interrupted at every
 * key.
 */
import { useEffect, useState } from 'react';
import { useDebouncedValue } from '../hooks/useDebouncedValue.ts';
import {
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  passwordLength,
} from '../password/rules.ts';
import { estimateStrength, type Strength } from '../password/strength.ts';

const SCORE_WORDS = ['Very weak', 'Weak', 'Fair', 'Good', 'Strong'];

interface PasswordStrengthProps {
  id: string;
  password: string;
  /** The person's name and email: a password built on them is weak. */
  userInputs: string[];
}

/** The strength of `password`, as a sentence and a bar. */
export function PasswordStrength(props: PasswordStrengthProps) {
  const { id, password, userInputs } = props;
  const settled = useDebouncedValue(password, 400);
  const inputsKey = userInputs.join('\n');
  const [strength, setStrength] = useState<Strength | null>(null);

  const length = passwordLength(settled);
  const lengthOk =
    length >= PASSWORD_MIN_LENGTH && length <= PASSWORD_MAX_LENGTH;

  useEffect(() => {
    if (!lengthOk) return;

    let current = true;
    estimateStrength(settled, inputsKey.split('\n').filter(Boolean))
      .then((result) => current && setStrength(result))
      // Without the estimate the rules text still guides the person.
      .catch(() => current && setStrength(null));
    return () => {
      current = false;
    };
  }, [settled, lengthOk, inputsKey]);

  return (
    <div id={id} className="strength" aria-live="polite">
      {describe(length, lengthOk ? strength : null)}
    </div>
  );
}

function describe(length: number, strength: Strength | null) {
  if (length === 0) return null;
  if (length < PASSWORD_MIN_LENGTH) {
    return `Too short: ${length} of at least ${PASSWORD_MIN_LENGTH} ` +
      'characters.';
  }
  if (length > PASSWORD_MAX_LENGTH) {
    return `Too long: ${length} of at most ${PASSWORD_MAX_LENGTH} ` +
      'characters.';
  }
  if (strength === null) return null;

  return (
    <>
      <span className={`strength-bar strength-${strength.score}`}
        aria-hidden="true" />
      Strength: {SCORE_WORDS[strength.score]}.
      {strength.warning !== null && ` ${strength.warning}`}
    </>
  );
}
