"""GET /api/workspaces/{workspace_id}/members: who is in a workspace and in which role.

Any member may look; owners also see the invitations that are still open. The ETag is a
digest of the list (members, roles, names, open invitations): If-None-Match with it gets 304
while the list is the same, and only a member gets either.
"""

from aws_lambda_powertools.event_handler import Response

from functions.domain.auth import auth
from functions.domain.workspaces import workspaces
from functions.domain.workspaces.models import Member, MemberList, PendingInvitation
from functions.platform.function import authenticated_api
from functions.platform.http import IfNoneMatch, conditional, conditional_responses, parse_id

app, deps, handler = authenticated_api(__name__)


@app.get(
    "/api/workspaces/<workspace_id>/members",
    tags=["workspaces"],
    summary="List a workspace's members",
    responses=conditional_responses("The members by role, and (to owners) the open invitations"),
)
def get_members(workspace_id: str, if_none_match: IfNoneMatch = None) -> Response[MemberList]:
    claims = deps.caller(app)
    workspace_id = parse_id(workspace_id, "workspace")
    found = deps.database.transaction(
        lambda conn: workspaces.members(conn, auth.ensure_current(conn, claims), workspace_id)
    )
    listed = MemberList(
        items=[Member.from_row(row) for row in found["items"]],
        invitations=[PendingInvitation.from_row(row) for row in found["invitations"]],
    )
    return conditional(listed, "members", {"workspace_id": workspace_id}, if_none_match)
