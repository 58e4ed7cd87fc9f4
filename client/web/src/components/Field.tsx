// A labelled text field with its error underneath, tied together for screen readers.
import type { InputHTMLAttributes, ReactNode, Ref } from 'react';

interface FieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'onChange'> {
  id: string;
  label: string;
  value: string;
  onChange(value: string): void;
  error?: string | undefined;
  hint?: string | undefined;
  /** Shown beside the error (a "Try again" button). */
  action?: ReactNode;
  /** Spans the whole row of the form grid. */
  wide?: boolean;
  /** The input itself (a form that puts the focus back on it). */
  ref?: Ref<HTMLInputElement>;
}

export function Field({ id, label, value, onChange, error, hint, action, wide = false, ref, ...input }: FieldProps) {
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' field--invalid' : ''}${wide ? ' field--wide' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p id={`${id}-hint`} className="field__hint">
          {hint}
        </p>
      )}
      <input
        ref={ref}
        id={id}
        name={id}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        {...input}
      />
      {error && (
        <p id={`${id}-error`} className="field__error" role="alert">
          <span>{error}</span>
          {action}
        </p>
      )}
    </div>
  );
}
