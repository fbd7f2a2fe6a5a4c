"""GET /api/workspaces: the caller's workspaces and role in each, personal first.

Its ETag is a digest of the list: If-None-Match with it gets 304 while the list is the same.
"""

from aws_lambda_powertools.event_handler import Response

from functions.domain.auth import auth
from functions.domain.workspaces import workspaces
from functions.domain.workspaces.models import Workspace, WorkspaceList
from functions.platform.function import authenticated_api
from functions.platform.http import IfNoneMatch, conditional, conditional_responses

app, deps, handler = authenticated_api(__name__)


@app.get(
    "/api/workspaces",
    tags=["workspaces"],
    summary="List my workspaces",
    responses=conditional_responses("My workspaces, personal first"),
)
def get_workspaces(if_none_match: IfNoneMatch = None) -> Response[WorkspaceList]:
    claims = deps.caller(app)
    rows = deps.database.transaction(lambda conn: workspaces.list_for(conn, auth.ensure_current(conn, claims)))
    listed = WorkspaceList(items=[Workspace.from_row(row) for row in rows])
    return conditional(listed, "workspaces", {}, if_none_match)
