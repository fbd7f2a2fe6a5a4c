import { useState, type FormEvent } from "react";
import { fieldErrors } from "../../api/problem";
import { CopyField } from "../../components/CopyField";
import { notifyError, notifySuccess } from "../../components/notify";
import { usePageTitle } from "../../components/usePageTitle";
import { createWorkspace, inviteToWorkspace, type Workspace } from "./api";
import { useWorkspaces } from "./WorkspaceContext";

const ROLES = { owner: "Owner", editor: "Editor", viewer: "Viewer" } as const;

export function WorkspacesPage() {
  usePageTitle("Workspaces");
  const { workspaces, current, select, reload } = useWorkspaces();
  const [name, setName] = useState("");
  const [nameError, setNameError] = useState("");
  const [busy, setBusy] = useState(false);

  async function create(event: FormEvent) {
    event.preventDefault();
    if (!name.trim()) {
      setNameError("Give the workspace a name.");
      return;
    }
    setNameError("");
    setBusy(true);
    try {
      const workspace = await createWorkspace(name.trim());
      await reload();
      select(workspace.id);
      setName("");
      notifySuccess(`Workspace “${workspace.name}” created and selected.`);
    } catch (error) {
      const byField = fieldErrors(error);
      if (byField.name) setNameError(byField.name);
      else notifyError(error, { context: "Could not create the workspace." });
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <h1 className="h3 mb-3">Workspaces</h1>
      <ul className="list-group mb-4" aria-label="Your workspaces">
        {workspaces.map((workspace) => (
          <li key={workspace.id} className="list-group-item" data-testid="workspace-row">
            <div className="d-flex flex-wrap align-items-center gap-2">
              <span className="fw-semibold text-break flex-grow-1">{workspace.name}</span>
              {workspace.personal && <span className="badge text-bg-light border">Personal</span>}
              <span className="badge text-bg-secondary">{ROLES[workspace.role]}</span>
              {current?.id === workspace.id ? (
                <span className="small text-success-emphasis">Selected</span>
              ) : (
                <button type="button" className="btn btn-sm btn-outline-primary" onClick={() => select(workspace.id)}
                  aria-label={`Switch to ${workspace.name}`}>
                  Switch
                </button>
              )}
            </div>
            {workspace.role === "owner" && !workspace.personal && <InviteForm workspace={workspace} />}
          </li>
        ))}
      </ul>
      <section className="card" aria-labelledby="new-workspace-heading">
        <div className="card-body">
          <h2 id="new-workspace-heading" className="h5">New workspace</h2>
          <form className="d-flex flex-wrap gap-2 align-items-start" onSubmit={(event) => void create(event)} noValidate>
            <div className="flex-grow-1" style={{ minWidth: "12rem" }}>
              <label htmlFor="workspace-name" className="visually-hidden">Workspace name</label>
              <input id="workspace-name" className={`form-control${nameError ? " is-invalid" : ""}`} placeholder="Workspace name"
                value={name} maxLength={100} onChange={(event) => setName(event.target.value)}
                aria-invalid={nameError ? true : undefined} aria-describedby={nameError ? "workspace-name-error" : undefined} />
              {nameError && <div id="workspace-name-error" className="invalid-feedback d-block">{nameError}</div>}
            </div>
            <button type="submit" className="btn btn-primary" disabled={busy}>Create workspace</button>
          </form>
        </div>
      </section>
    </>
  );
}

function InviteForm({ workspace }: { workspace: Workspace }) {
  const [open, setOpen] = useState(false);
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<"editor" | "viewer">("editor");
  const [link, setLink] = useState<string | null>(null);
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
      const token = await inviteToWorkspace(workspace.id, email.trim(), role);
      setLink(`${window.location.origin}/invitations/${encodeURIComponent(token)}`);
      setEmail("");
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
      {link && (
        <div className="alert alert-info mt-2 mb-0 p-2">
          <CopyField id={`${base}-link`} label="Invitation link" value={link}
            hint="Send it to the invitee. It works once, and it is shown only now." />
        </div>
      )}
    </div>
  );
}
