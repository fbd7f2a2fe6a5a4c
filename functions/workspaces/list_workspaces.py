"""GET /api/workspaces: the caller's workspaces and role in each, personal first."""

from functions.domain.auth import auth
from functions.domain.workspaces import workspaces
from functions.domain.workspaces.models import Workspace, WorkspaceList
from functions.platform.function import authenticated_api

app, deps, handler = authenticated_api(__name__)


@app.get("/api/workspaces", tags=["workspaces"], summary="List my workspaces")
def get_workspaces() -> WorkspaceList:
    claims = deps.caller(app)
    rows = deps.database.transaction(lambda conn: workspaces.list_for(conn, auth.ensure_current(conn, claims)))
    return WorkspaceList(items=[Workspace.from_row(row) for row in rows])
