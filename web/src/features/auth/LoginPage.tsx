import { useRef, useState, type FormEvent } from "react";
import { Link, useLocation, useNavigate } from "react-router";
import { errorMessage } from "../../api/problem";
import { focusFirstInvalid, TextField } from "../../components/Field";
import { usePageTitle } from "../../components/usePageTitle";
import { AuthCard } from "./AuthCard";
import { useAuth } from "../../lib/session/AuthProvider";
import { InvitationNotice } from "./InvitationNotice";
import { arrivalState, invitationToken, returnPath } from "./RouteGuards";
import { validateLogin, type FieldErrors } from "./validation";

export function LoginPage() {
  usePageTitle("Log in");
  const { login } = useAuth();
  const location = useLocation();
  const navigate = useNavigate();
  const form = useRef<HTMLFormElement>(null);
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<FieldErrors<"email" | "password">>({});
  const [failure, setFailure] = useState("");
  const [submitting, setSubmitting] = useState(false);
  const invitation = invitationToken(location);
  // Said by the page that sent the visitor here (after a password reset).
  const notice = (location.state as { notice?: unknown } | null)?.notice;

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const found = validateLogin({ email, password });
    setErrors(found);
    setFailure("");
    if (Object.keys(found).length > 0) {
      focusFirstInvalid(form.current);
      return;
    }
    setSubmitting(true);
    try {
      await login({ email: email.trim(), password });
      navigate(returnPath(location), { replace: true, state: arrivalState(location) });
    } catch (error) {
      setFailure(errorMessage(error));
      setSubmitting(false);
    }
  }

  return (
    <AuthCard title="Log in">
      {typeof notice === "string" && notice && (
        <div className="alert alert-success" role="status">
          {notice}
        </div>
      )}
      {invitation && <InvitationNotice token={invitation} />}
      {failure && (
        <div className="alert alert-danger" role="alert">
          {failure}
        </div>
      )}
      <form ref={form} onSubmit={onSubmit} noValidate aria-label="Log in">
        <TextField
          id="email"
          label="E-mail"
          type="email"
          autoComplete="username"
          inputMode="email"
          value={email}
          error={errors.email}
          onChange={(event) => setEmail(event.target.value)}
          required
        />
        <TextField
          id="password"
          label="Password"
          type="password"
          autoComplete="current-password"
          value={password}
          error={errors.password}
          onChange={(event) => setPassword(event.target.value)}
          required
        />
        <button type="submit" className="btn btn-primary w-100" disabled={submitting}>
          {submitting ? "Logging in…" : "Log in"}
        </button>
      </form>
      <p className="mt-3 mb-0 text-center">
        <Link to="/forgot-password" state={{ email: email.trim() }}>Forgot password?</Link>
      </p>
      <p className="mt-3 mb-0 text-center">
        New here?{" "}
        <Link to="/register" state={location.state}>
          Create an account
        </Link>
      </p>
    </AuthCard>
  );
}

