import type { ReactNode } from 'react';

/** What a control needs to be named by its label and described by its hint and error. */
interface FieldControlProps {
  id: string;
  name?: string;
  'aria-invalid'?: true;
  'aria-describedby'?: string;
}

/**
 * A labelled control with an optional hint and the API's error for its field. The hint and error describe
 * the control rather than name it, so they sit outside the label and are tied to it by aria-describedby.
 */
export function Field({
  id,
  name,
  label,
  error,
  hint,
  children,
}: {
  id: string;
  /** the form field's name, passed on to the control */
  name?: string;
  label: string;
  error?: string;
  hint?: ReactNode;
  children: (props: FieldControlProps) => ReactNode;
}) {
  const described = [error && `${id}-error`, hint && `${id}-hint`].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        ...(name !== undefined && { name }),
        'aria-invalid': error ? true : undefined,
        'aria-describedby': described,
      })}
      {hint && (
        <span id={`${id}-hint`} className="muted field-hint">
          {hint}
        </span>
      )}
      {error && (
        <span id={`${id}-error`} className="field-error">
          {error}
        </span>
      )}
    </div>
  );
}
