"""GET /api/workspaces: the caller's workspaces and role in each, personal first."""

from aws_lambda_powertools import Logger

from functions.domain.auth import auth
from functions.domain.workspaces import workspaces
from functions.domain.workspaces.models import Workspace, WorkspaceList
from functions.platform.api import api_handler, create_api
from functions.platform.dependencies import Dependencies
from functions.platform.settings import Settings

deps = Dependencies.from_settings(Settings.from_env())
logger = Logger(service="workspaces")
app = create_api(deps.settings)


@app.get("/api/workspaces", tags=["workspaces"], summary="List my workspaces")
def get_workspaces() -> WorkspaceList:
    claims = deps.caller(app)
    rows = deps.database.transaction(lambda conn: workspaces.list_for(conn, auth.ensure_current(conn, claims)))
    return WorkspaceList(items=[Workspace.from_row(row) for row in rows])


handler = api_handler(app, logger, "list-workspaces", deps.verifier)
