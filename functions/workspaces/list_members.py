"""GET /api/workspaces/{workspace_id}/members: who is in a workspace and in which role.

Any member may look; owners also see the invitations that are still open.
"""

from functions.domain.auth import auth
from functions.domain.workspaces import workspaces
from functions.domain.workspaces.models import Member, MemberList, PendingInvitation
from functions.platform.function import authenticated_api
from functions.platform.http import parse_id

app, deps, handler = authenticated_api(__name__)


@app.get("/api/workspaces/<workspace_id>/members", tags=["workspaces"], summary="List a workspace's members")
def get_members(workspace_id: str) -> MemberList:
    claims = deps.caller(app)
    workspace_id = parse_id(workspace_id, "workspace")
    found = deps.database.transaction(
        lambda conn: workspaces.members(conn, auth.ensure_current(conn, claims), workspace_id)
    )
    return MemberList(
        items=[Member.from_row(row) for row in found["items"]],
        invitations=[PendingInvitation.from_row(row) for row in found["invitations"]],
    )
