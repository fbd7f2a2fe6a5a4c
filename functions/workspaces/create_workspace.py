"""POST /api/workspaces: create a shared workspace; the caller is its owner."""

from aws_lambda_powertools import Logger

from functions.domain.auth import auth
from functions.domain.workspaces import workspaces
from functions.domain.workspaces.models import Workspace, WorkspaceCreate
from functions.platform.api import api_handler, create_api
from functions.platform.dependencies import Dependencies
from functions.platform.settings import Settings

deps = Dependencies.from_settings(Settings.from_env())
logger = Logger(service="workspaces")
app = create_api(deps.settings)


@app.post("/api/workspaces", status_code=201, tags=["workspaces"], summary="Create a workspace")
def post_workspace(body: WorkspaceCreate) -> Workspace:
    claims = deps.caller(app)
    row = deps.database.transaction(
        lambda conn: workspaces.create(conn, auth.ensure_current(conn, claims), body.name))
    return Workspace.from_row(row)


handler = api_handler(app, logger, "create-workspace", deps.verifier)
