/**
 * A labelled text input with its hint and its error. The error is tied to
 * the input with aria-describedby and aria-invalid so that a screen reader
 * reads it when the input gets focus.
 */
import { useId, type InputHTMLAttributes, type ReactNode } from 'react';

export interface FieldProps extends InputHTMLAttributes<HTMLInputElement> {
  label: string;
  error?: string | undefined;
  hint?: ReactNode;
  /** Ids of more text that describes the input, like a strength hint. */
  describedBy?: string | undefined;
  /** Shown under the input, e.g. that strength hint; give it an id. */
  below?: ReactNode;
}

/** A labelled input with optional hint and error. */
export function Field(props: FieldProps) {
  const { label, error, hint, describedBy, below, ...inputProps } = props;
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;

  const descriptions = [
    hint === undefined ? undefined : hintId,
    error === undefined ? undefined : errorId,
    describedBy,
  ].filter((value) => value !== undefined);

  return (
    <div className={error === undefined ? 'field' : 'field field-invalid'}>
      <label htmlFor={id}>{label}</label>
      {hint !== undefined && (
        <div id={hintId} className="hint">
          {hint}
        </div>
      )}
      {error !== undefined && <FieldError id={errorId} message={error} />}
      <input
        id={id}
        aria-invalid={error === undefined ? undefined : true}
        aria-describedby={descriptions.join(' ') || undefined}
        {...inputProps}
      />
      {below}
    </div>
  );
}

/** The message beside a field; aria-invalid on the field says "error". */
export function FieldError({ id, message }: { id: string; message: string }) {
  return (
    <p id={id} className="field-error">
      {message}
    </p>
  );
}
