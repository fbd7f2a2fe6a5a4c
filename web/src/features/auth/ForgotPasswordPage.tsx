import { useRef, useState, type FormEvent } from "react";
import { Link, useLocation } from "react-router";
import { errorMessage, fieldErrors } from "../../api/problem";
import { focusFirstInvalid, TextField } from "../../components/Field";
import { usePageTitle } from "../../components/usePageTitle";
import { requestPasswordReset } from "./api";
import { AuthCard } from "./AuthCard";
import { validateEmail } from "./validation";

/** Asks for a reset link. It says the same whether or not an account has the address, as the API does. */
export function ForgotPasswordPage() {
  usePageTitle("Forgot password");
  const location = useLocation();
  const form = useRef<HTMLFormElement>(null);
  const typed = (location.state as { email?: unknown } | null)?.email;
  const [email, setEmail] = useState(typeof typed === "string" ? typed : "");
  const [error, setError] = useState<string | undefined>();
  const [failure, setFailure] = useState("");
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const invalid = validateEmail(email);
    setError(invalid);
    setFailure("");
    if (invalid) {
      focusFirstInvalid(form.current);
      return;
    }
    setSubmitting(true);
    try {
      await requestPasswordReset(email.trim());
      setSentTo(email.trim());
    } catch (problem) {
      const byField = fieldErrors(problem).email;
      if (byField) {
        setError(byField);
        focusFirstInvalid(form.current);
      } else {
        setFailure(errorMessage(problem));
      }
    } finally {
      setSubmitting(false);
    }
  }

  if (sentTo) {
    return (
      <AuthCard title="Check your e-mail">
        <div className="alert alert-success" role="status">
          If an account exists for <strong className="text-break">{sentTo}</strong>, we sent a link to reset its password.
          The link works once, for 30 minutes.
        </div>
        <p className="small text-body-secondary">Nothing came? Look in the spam folder, or ask again in a few minutes.</p>
        <p className="mb-0 text-center">
          <Link to="/login">Back to log in</Link>
        </p>
      </AuthCard>
    );
  }

  return (
    <AuthCard title="Forgot password">
      <p>Enter the e-mail address of your account: we will send you a link to choose a new password.</p>
      {failure && (
        <div className="alert alert-danger" role="alert">
          {failure}
        </div>
      )}
      <form ref={form} onSubmit={onSubmit} noValidate aria-label="Ask for a reset link">
        <TextField id="email" label="E-mail" type="email" autoComplete="username" inputMode="email" value={email}
          error={error} onChange={(event) => setEmail(event.target.value)} required />
        <button type="submit" className="btn btn-primary w-100" disabled={submitting}>
          {submitting ? "Sending…" : "Send the reset link"}
        </button>
      </form>
      <p className="mt-4 mb-0 text-center">
        <Link to="/login">Back to log in</Link>
      </p>
    </AuthCard>
  );
}
