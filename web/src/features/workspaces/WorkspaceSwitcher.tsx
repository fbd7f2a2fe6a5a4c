import { useWorkspaces } from "../../lib/workspaces/WorkspaceContext";

const ROLE_LABEL = { owner: "owner", editor: "editor", viewer: "view only" } as const;

/** The navbar's workspace picker. */
export function WorkspaceSwitcher() {
  const { workspaces, current, select } = useWorkspaces();
  if (workspaces.length === 0 || !current) return null;
  return (
    <div className="d-flex align-items-center">
      <label htmlFor="workspace-switcher" className="visually-hidden">Workspace</label>
      <select id="workspace-switcher" className="form-select form-select-sm" style={{ maxWidth: "11rem" }}
        value={current.id} onChange={(event) => select(event.target.value)}>
        {workspaces.map((workspace) => (
          <option key={workspace.id} value={workspace.id}>
            {workspace.name}{workspace.personal ? "" : ` (${ROLE_LABEL[workspace.role]})`}
          </option>
        ))}
      </select>
    </div>
  );
}
