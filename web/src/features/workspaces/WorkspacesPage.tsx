import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { fieldErrors } from "../../api/problem";
import { notifyError, notifySuccess } from "../../components/notify";
import { usePageTitle } from "../../components/usePageTitle";
import { createWorkspace } from "./api";
import { InviteForm } from "./InviteForm";
import { useWorkspaces } from "../../lib/workspaces/WorkspaceContext";

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
              {workspace.personal && <span className="badge bg-body-tertiary text-body-emphasis border">Personal</span>}
              <span className="badge text-bg-secondary">{ROLES[workspace.role]}</span>
              {current?.id === workspace.id ? (
                <span className="small text-success-emphasis">Selected</span>
              ) : (
                <button type="button" className="btn btn-sm btn-outline-primary" onClick={() => select(workspace.id)}
                  aria-label={`Switch to ${workspace.name}`}>
                  Switch
                </button>
              )}
              {!workspace.personal && (
                <Link to="/workspaces/members" className="btn btn-sm btn-outline-secondary" onClick={() => select(workspace.id)}
                  aria-label={`Members of ${workspace.name}`}>
                  Members
                </Link>
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
