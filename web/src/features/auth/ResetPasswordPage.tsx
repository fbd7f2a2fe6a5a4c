import { useRef, useState, type FormEvent } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { errorMessage, fieldErrors, httpStatus, problemOf } from "../../api/problem";
import { focusFirstInvalid, TextField } from "../../components/Field";
import { usePageTitle } from "../../components/usePageTitle";
import { resetPassword } from "./api";
import { AuthCard } from "./AuthCard";
import { NEW_PASSWORD_HINT, validateNewPassword, type FieldErrors } from "./validation";

type Field = "password" | "confirm";

export const RESET_DONE = "Your password has been reset, and every session has ended. Log in with the new password.";

function sentence(text: string): string {
  const trimmed = text.trim();
  return trimmed ? trimmed[0].toUpperCase() + trimmed.slice(1) + (/[.!?]$/.test(trimmed) ? "" : ".") : trimmed;
}

/** A new password, with the token of the e-mailed link (/reset-password/<token>); then to the login page. */
export function ResetPasswordPage() {
  usePageTitle("Choose a new password");
  const { token = "" } = useParams();
  const navigate = useNavigate();
  const form = useRef<HTMLFormElement>(null);
  const [values, setValues] = useState({ password: "", confirm: "" });
  const [errors, setErrors] = useState<FieldErrors<Field>>({});
  const [failure, setFailure] = useState("");
  const [expired, setExpired] = useState(false);
  const [submitting, setSubmitting] = useState(false);

  const change = (field: Field) => (event: { target: { value: string } }) =>
    setValues((current) => ({ ...current, [field]: event.target.value }));

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const found = validateNewPassword(values);
    setErrors(found);
    setFailure("");
    if (Object.keys(found).length > 0) {
      focusFirstInvalid(form.current);
      return;
    }
    setSubmitting(true);
    try {
      await resetPassword(token, values.password);
      navigate("/login", { replace: true, state: { notice: RESET_DONE } });
    } catch (error) {
      const status = httpStatus(error);
      if (status === 400 || status === 404 || status === 410) {
        setExpired(true);
      } else if (status === 422) {
        // The rule the password breaks: named by validation, or (the e-mail rule) in the detail.
        const detail = problemOf(error)?.detail;
        const reason = fieldErrors(error).new_password ?? (detail ? sentence(detail) : undefined);
        if (reason) {
          setErrors({ password: reason });
          focusFirstInvalid(form.current);
        } else {
          setFailure(errorMessage(error));
        }
      } else {
        setFailure(errorMessage(error));
      }
      setSubmitting(false);
    }
  }

  if (expired) {
    return (
      <AuthCard title="Choose a new password">
        <div className="alert alert-warning" role="alert">
          This reset link does not work any more: it was used already, or it has expired (it works for 30 minutes).
        </div>
        <p className="mb-0 text-center">
          <Link to="/forgot-password">Ask for a new link</Link>
        </p>
      </AuthCard>
    );
  }

  return (
    <AuthCard title="Choose a new password">
      {failure && (
        <div className="alert alert-danger" role="alert">
          {failure}
        </div>
      )}
      <form ref={form} onSubmit={onSubmit} noValidate aria-label="Choose a new password">
        <TextField id="password" label="New password" type="password" autoComplete="new-password" hint={NEW_PASSWORD_HINT}
          value={values.password} error={errors.password} onChange={change("password")} required />
        <TextField id="confirm" label="Repeat the new password" type="password" autoComplete="new-password"
          value={values.confirm} error={errors.confirm} onChange={change("confirm")} required />
        <p className="small text-body-secondary">Every session of the account ends, in every browser.</p>
        <button type="submit" className="btn btn-primary w-100" disabled={submitting}>
          {submitting ? "Saving…" : "Set the new password"}
        </button>
      </form>
    </AuthCard>
  );
}
