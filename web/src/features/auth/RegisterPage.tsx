import { useRef, useState, type FormEvent } from "react";
import { Link, useLocation, useNavigate } from "react-router";
import { errorMessage, fieldErrors, httpStatus } from "../../api/problem";
import { focusFirstInvalid, TextField } from "../../components/Field";
import { usePageTitle } from "../../components/usePageTitle";
import { AuthCard } from "./AuthCard";
import { browserZone } from "../../lib/accountTimeZone";
import { useAuth } from "../../lib/session/AuthProvider";
import type { Registration } from "../../lib/session/api";
import { InvitationNotice } from "./InvitationNotice";
import { arrivalState, invitationToken, returnPath } from "./RouteGuards";
import { NEW_PASSWORD_HINT, validateRegistration, type FieldErrors, type RegisterField } from "./validation";

const EMPTY: Record<RegisterField, string> = { email: "", display_name: "", password: "", confirm: "" };

export function RegisterPage() {
  usePageTitle("Create an account");
  const { register } = useAuth();
  const location = useLocation();
  const navigate = useNavigate();
  const form = useRef<HTMLFormElement>(null);
  const [values, setValues] = useState(EMPTY);
  const [errors, setErrors] = useState<FieldErrors<RegisterField>>({});
  const [failure, setFailure] = useState("");
  const [submitting, setSubmitting] = useState(false);
  const invitation = invitationToken(location);

  const change = (field: RegisterField) => (event: { target: { value: string } }) =>
    setValues((current) => ({ ...current, [field]: event.target.value }));

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const found = validateRegistration(values);
    setErrors(found);
    setFailure("");
    if (Object.keys(found).length > 0) {
      focusFirstInvalid(form.current);
      return;
    }
    setSubmitting(true);
    try {
      const displayName = values.display_name.trim();
      const registration: Registration = {
        email: values.email.trim(),
        password: values.password,
        ...(displayName ? { display_name: displayName } : {}),
      };
      // The account starts in the browser's time zone (days, repeats, the digest), not in UTC.
      const zone = browserZone();
      const withZone: Registration & { timezone?: string } = zone ? { ...registration, timezone: zone } : registration;
      try {
        await register(withZone);
      } catch (error) {
        // A zone the server does not know is no reason to fail: the account starts in UTC and is asked later.
        if (!zone || !fieldErrors(error).timezone) throw error;
        await register(registration);
      }
      navigate(returnPath(location), { replace: true, state: arrivalState(location) });
    } catch (error) {
      const byField = fieldErrors(error) as FieldErrors<RegisterField>;
      if (httpStatus(error) === 409) byField.email = errorMessage(error);
      if (Object.keys(byField).length > 0) {
        setErrors(byField);
        focusFirstInvalid(form.current);
      } else {
        setFailure(errorMessage(error));
      }
      setSubmitting(false);
    }
  }

  return (
    <AuthCard title="Create an account">
      {invitation && <InvitationNotice token={invitation} />}
      {failure && (
        <div className="alert alert-danger" role="alert">
          {failure}
        </div>
      )}
      <form ref={form} onSubmit={onSubmit} noValidate aria-label="Create an account">
        <TextField id="email" label="E-mail" type="email" autoComplete="email" inputMode="email" hint="We will e-mail you a link to confirm it."
          value={values.email} error={errors.email} onChange={change("email")} required />
        <TextField id="display_name" label="Name (optional)" autoComplete="name" maxLength={100}
          value={values.display_name} error={errors.display_name} onChange={change("display_name")} />
        <TextField id="password" label="Password" type="password" autoComplete="new-password"
          hint={NEW_PASSWORD_HINT} value={values.password}
          error={errors.password}
          onChange={change("password")} required />
        <TextField id="confirm" label="Repeat the password" type="password" autoComplete="new-password"
          value={values.confirm} error={errors.confirm} onChange={change("confirm")} required />
        <button type="submit" className="btn btn-primary w-100" disabled={submitting}>
          {submitting ? "Creating your account…" : "Create account"}
        </button>
      </form>
      <p className="mt-4 mb-0 text-center">
        Already have an account?{" "}
        <Link to="/login" state={location.state}>
          Log in
        </Link>
      </p>
    </AuthCard>
  );
}

