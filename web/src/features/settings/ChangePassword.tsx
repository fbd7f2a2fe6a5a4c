import { useRef, useState, type FormEvent } from "react";
import { errorMessage, fieldErrors, httpStatus, problemOf } from "../../api/problem";
import { focusFirstInvalid, TextField } from "../../components/Field";
import { useAuth } from "../../lib/session/AuthProvider";
import { changePassword, SessionEndedError, type PasswordChanged } from "./api";

type PasswordField = "current" | "next" | "confirm";
type Errors = Partial<Record<PasswordField, string>>;

function validate(current: string, next: string, confirm: string): Errors {
  const errors: Errors = {};
  if (!current) errors.current = "Enter your current password.";
  const length = [...next].length;
  if (length < 8) errors.next = "Use at least 8 characters.";
  else if (length > 128) errors.next = "Use at most 128 characters.";
  else if (!next.trim()) errors.next = "Use other characters than spaces too.";
  if (!errors.next && confirm !== next) errors.confirm = "The passwords do not match.";
  return errors;
}

function sentence(text: string): string {
  const trimmed = text.trim();
  return trimmed ? trimmed[0].toUpperCase() + trimmed.slice(1) + (/[.!?]$/.test(trimmed) ? "" : ".") : trimmed;
}

/**
 * Changing the password ends every session, this one too, and revokes what someone who
 * knew the old password could still use: the calendar feed URL and the reminder webhook.
 * The answer says which existed; the page says so before the user logs in again.
 */
export function ChangePassword() {
  const { logout } = useAuth();
  const form = useRef<HTMLFormElement>(null);
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [confirm, setConfirm] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState("");
  const [changed, setChanged] = useState<PasswordChanged | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found = validate(current, next, confirm);
    setErrors(found);
    setFailure("");
    if (Object.keys(found).length > 0) {
      focusFirstInvalid(form.current);
      return;
    }
    setBusy(true);
    try {
      setChanged(await changePassword(current, next));
    } catch (error) {
      if (error instanceof SessionEndedError) {
        setFailure(error.message);
        return;
      }
      const status = httpStatus(error);
      const byField: Errors = {};
      if (status === 401) byField.current = "The current password is wrong.";
      else if (status === 422) {
        // The rule the new password breaks: named by validation, or (the e-mail rule) in the detail.
        const detail = problemOf(error)?.detail;
        const reason = fieldErrors(error).new_password ?? (detail ? sentence(detail) : undefined);
        if (reason) byField.next = reason;
      }
      if (Object.keys(byField).length > 0) {
        setErrors(byField);
        focusFirstInvalid(form.current);
      } else {
        setFailure(errorMessage(error));
      }
    } finally {
      setBusy(false);
    }
  }

  if (changed) {
    return (
      <div className="alert alert-warning mb-0" role="alert">
        <p className="fw-semibold mb-2">Your password has been changed. Every session has ended, this one too: log in again with the new password.</p>
        <ul className="mb-3">
          {changed.calendar_feed_revoked && (
            <li>Your calendar feed link was revoked: make a new one in Settings and give it to your calendar app.</li>
          )}
          {changed.webhook_removed && (
            <li>
              Your reminder webhook was removed, with its signing secret: reminders come by e-mail until you set a
              webhook URL again, which gets a new secret.
            </li>
          )}
        </ul>
        <button type="button" className="btn btn-primary" onClick={() => void logout()}>Log in again</button>
      </div>
    );
  }

  return (
    <form ref={form} onSubmit={submit} noValidate aria-label="Change the password">
      {failure && <div className="alert alert-danger" role="alert">{failure}</div>}
      <div className="row g-3">
        <div className="col-12 col-md-4">
          <TextField id="password-current" label="Current password" type="password" autoComplete="current-password"
            value={current} error={errors.current} onChange={(event) => setCurrent(event.target.value)} required />
        </div>
        <div className="col-12 col-md-4">
          <TextField id="password-new" label="New password" type="password" autoComplete="new-password"
            hint="At least 8 characters; not a common password, not your e-mail address." value={next}
            error={errors.next} onChange={(event) => setNext(event.target.value)} required />
        </div>
        <div className="col-12 col-md-4">
          <TextField id="password-confirm" label="Repeat the new password" type="password" autoComplete="new-password"
            value={confirm} error={errors.confirm} onChange={(event) => setConfirm(event.target.value)} required />
        </div>
      </div>
      <p className="small text-body-secondary mb-2">
        Every session ends, this one too. Your calendar feed link and your reminder webhook are revoked as well.
      </p>
      <button type="submit" className="btn btn-outline-primary" disabled={busy}>{busy ? "Changing…" : "Change the password"}</button>
    </form>
  );
}
