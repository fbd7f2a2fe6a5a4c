import { useState, type FormEvent } from "react";
import { fieldErrors } from "../../api/problem";
import { CopyField } from "../../components/CopyField";
import { notifyError } from "../../components/notify";
import type { Workspace } from "../../lib/workspaces/api";
import { inviteToWorkspace } from "./api";

interface InviteFormProps {
  workspace: Workspace;
  /** Show the fields at once instead of an "Invite someone" button. */
  startOpen?: boolean;
  /** After the invitation is created (to show it among the open ones). */
  onInvited?: () => void;
}

/** An owner invites someone by e-mail and role, and gets the link to pass on. */
export function InviteForm({ workspace, startOpen = false, onInvited }: InviteFormProps) {
  const [open, setOpen] = useState(startOpen);
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<"editor" | "viewer">("editor");
  const [sent, setSent] = useState<{ link: string; email: string; emailed: boolean } | null>(null);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const base = `invite-${workspace.id}`;

  async function invite(event: FormEvent) {
    event.preventDefault();
    if (!/^\S+@\S+\.\S+$/.test(email.trim())) {
      setError("Enter the e-mail address to invite.");
      return;
    }
    setError("");
    setBusy(true);
    try {
      const invitation = await inviteToWorkspace(workspace.id, email.trim(), role);
      setSent({
        link: `${window.location.origin}/invitations/${encodeURIComponent(invitation.token)}`,
        email: email.trim(),
        emailed: invitation.emailed,
      });
      setEmail("");
      onInvited?.();
    } catch (failure) {
      const byField = fieldErrors(failure);
      if (byField.email) setError(byField.email);
      else notifyError(failure, { context: "Could not create the invitation." });
    } finally {
      setBusy(false);
    }
  }

  if (!open) {
    return (
      <button type="button" className="btn btn-sm btn-link px-0" onClick={() => setOpen(true)} aria-label={`Invite someone to ${workspace.name}`}>
        Invite someone
      </button>
    );
  }
  return (
    <div className="mt-2">
      <form className="row g-2 align-items-end" onSubmit={(event) => void invite(event)} noValidate aria-label={`Invite to ${workspace.name}`}>
        <div className="col-12 col-sm-6">
          <label htmlFor={`${base}-email`} className="form-label small mb-1">E-mail</label>
          <input id={`${base}-email`} type="email" className={`form-control form-control-sm${error ? " is-invalid" : ""}`} value={email}
            onChange={(event) => setEmail(event.target.value)} aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${base}-error` : undefined} />
        </div>
        <div className="col-7 col-sm-3">
          <label htmlFor={`${base}-role`} className="form-label small mb-1">Role</label>
          <select id={`${base}-role`} className="form-select form-select-sm" value={role}
            onChange={(event) => setRole(event.target.value as "editor" | "viewer")}>
            <option value="editor">Editor</option>
            <option value="viewer">Viewer (read only)</option>
          </select>
        </div>
        <div className="col-5 col-sm-3">
          <button type="submit" className="btn btn-sm btn-primary w-100" disabled={busy}>Invite</button>
        </div>
        {error && <div id={`${base}-error`} className="col-12 invalid-feedback d-block mt-1">{error}</div>}
      </form>
      {sent && (
        <div className="alert alert-info mt-2 mb-0 p-2">
          <p className="small mb-2" role="status">
            {sent.emailed ? `We e-mailed the invitation to ${sent.email}.` : `The e-mail to ${sent.email} could not be sent: pass the link on yourself.`}
          </p>
          <CopyField id={`${base}-link`} label="Invitation link" value={sent.link}
            hint="You can also send it yourself. It works once, for the invited address only, and it is shown only now." />
        </div>
      )}
    </div>
  );
}
