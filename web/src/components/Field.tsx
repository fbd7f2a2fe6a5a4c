import { forwardRef, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from "react";

interface FieldFrameProps {
  id: string;
  label: ReactNode;
  error?: string;
  hint?: ReactNode;
  className?: string;
  children: (describedBy: string | undefined, invalid: boolean) => ReactNode;
}

/** A label, a control, an optional hint and its error, wired together for screen readers. */
export function FieldFrame({ id, label, error, hint, className = "mb-3", children }: FieldFrameProps) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(" ") || undefined;
  return (
    <div className={className}>
      <label htmlFor={id} className="form-label">
        {label}
      </label>
      {children(describedBy, Boolean(error))}
      {error && (
        <div id={errorId} className="invalid-feedback d-block">
          {error}
        </div>
      )}
      {hint && (
        <div id={hintId} className="form-text">
          {hint}
        </div>
      )}
    </div>
  );
}

type InputProps = InputHTMLAttributes<HTMLInputElement> & {
  id: string;
  label: ReactNode;
  error?: string;
  hint?: ReactNode;
  wrapperClassName?: string;
};

export const TextField = forwardRef<HTMLInputElement, InputProps>(function TextField(
  { id, label, error, hint, wrapperClassName, className = "form-control", ...props },
  ref,
) {
  return (
    <FieldFrame id={id} label={label} error={error} hint={hint} className={wrapperClassName}>
      {(describedBy, invalid) => (
        <input
          ref={ref}
          id={id}
          name={id}
          className={`${className}${invalid ? " is-invalid" : ""}`}
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy}
          {...props}
        />
      )}
    </FieldFrame>
  );
});

type TextAreaProps = TextareaHTMLAttributes<HTMLTextAreaElement> & {
  id: string;
  label: ReactNode;
  error?: string;
  hint?: ReactNode;
  wrapperClassName?: string;
};

export function TextAreaField({ id, label, error, hint, wrapperClassName, ...props }: TextAreaProps) {
  return (
    <FieldFrame id={id} label={label} error={error} hint={hint} className={wrapperClassName}>
      {(describedBy, invalid) => (
        <textarea
          id={id}
          name={id}
          className={`form-control${invalid ? " is-invalid" : ""}`}
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy}
          {...props}
        />
      )}
    </FieldFrame>
  );
}

type SelectProps = SelectHTMLAttributes<HTMLSelectElement> & {
  id: string;
  label: ReactNode;
  error?: string;
  wrapperClassName?: string;
};

export function SelectField({ id, label, error, wrapperClassName, children, className = "form-select", ...props }: SelectProps) {
  return (
    <FieldFrame id={id} label={label} error={error} className={wrapperClassName}>
      {(describedBy, invalid) => (
        <select
          id={id}
          name={id}
          className={`${className}${invalid ? " is-invalid" : ""}`}
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy}
          {...props}
        >
          {children}
        </select>
      )}
    </FieldFrame>
  );
}

/** Moves focus to the first control marked invalid inside `form`. */
export function focusFirstInvalid(form: HTMLFormElement | null): void {
  requestAnimationFrame(() => form?.querySelector<HTMLElement>("[aria-invalid='true']")?.focus());
}
