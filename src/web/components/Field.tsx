import { useId, type ReactNode } from 'react';

export interface FieldControlProps {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: boolean;
}

interface FieldProps {
  label: ReactNode;
  hint?: ReactNode;
  error?: string | null;
  children: (control: FieldControlProps) => ReactNode;
  className?: string;
}

/**
 * A labelled control with a hint and an error slot. The slot always takes its space, so an
 * error appearing under a field never pushes the rest of the form around.
 */
export function Field({ label, hint, error, children, className }: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field ${className ?? ''}`}>
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      {children({ id, 'aria-describedby': describedBy, 'aria-invalid': error ? true : undefined })}
      {hint && (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      )}
      <ErrorSlot id={errorId} message={error} />
    </div>
  );
}

/** The reserved line under a control where its error appears. */
export function ErrorSlot({ message, id, className }: { message?: string | null; id?: string; className?: string }) {
  return (
    <div className={`error-slot ${className ?? ''}`}>
      {message && (
        <p className="error-text" role="alert" id={id}>
          {message}
        </p>
      )}
    </div>
  );
}
