"""POST /api/workspaces: create a shared workspace; the caller is its owner."""

from functions.domain.auth import auth
from functions.domain.workspaces import workspaces
from functions.domain.workspaces.models import Workspace, WorkspaceCreate
from functions.platform.function import authenticated_api

app, deps, handler = authenticated_api(__name__)


@app.post("/api/workspaces", status_code=201, tags=["workspaces"], summary="Create a workspace")
def post_workspace(body: WorkspaceCreate) -> Workspace:
    claims = deps.caller(app)
    row = deps.database.transaction(lambda conn: workspaces.create(conn, auth.ensure_current(conn, claims), body.name))
    return Workspace.from_row(row)
