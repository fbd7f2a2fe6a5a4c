"""GET /api/workspaces/{workspace_id}/members: who is in a workspace and in which role.

Any member may look; owners also see the invitations that are still open.
"""

from aws_lambda_powertools import Logger

from functions.domain.auth import auth
from functions.domain.workspaces import workspaces
from functions.domain.workspaces.models import Member, MemberList, PendingInvitation
from functions.platform.api import api_handler, create_api
from functions.platform.dependencies import Dependencies
from functions.platform.http import parse_id
from functions.platform.settings import Settings

deps = Dependencies.from_settings(Settings.from_env())
logger = Logger(service="workspaces")
app = create_api(deps.settings)


@app.get("/api/workspaces/<workspace_id>/members", tags=["workspaces"], summary="List a workspace's members")
def get_members(workspace_id: str) -> MemberList:
    claims = deps.caller(app)
    workspace_id = parse_id(workspace_id, "workspace")
    found = deps.database.transaction(lambda conn: workspaces.members(
        conn, auth.ensure_current(conn, claims), workspace_id))
    return MemberList(items=[Member.from_row(row) for row in found["items"]],
                      invitations=[PendingInvitation.from_row(row) for row in found["invitations"]])


handler = api_handler(app, logger, "list-members", deps.verifier)
