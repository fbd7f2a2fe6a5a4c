"""PATCH /api/workspaces/{workspace_id}/members/{user_id}: an owner changes a member's role.

A workspace always keeps an owner: the last one cannot step down (409).
"""

from functions.domain.activity import publishing
from functions.domain.auth import auth
from functions.domain.workspaces import workspaces
from functions.domain.workspaces.models import Member, MemberPatch
from functions.platform.function import authenticated_api
from functions.platform.http import parse_id

app, deps, handler = authenticated_api(__name__)


@app.patch("/api/workspaces/<workspace_id>/members/<user_id>", tags=["workspaces"], summary="Change a member's role")
def patch_member(workspace_id: str, user_id: str, body: MemberPatch) -> Member:
    claims = deps.caller(app)
    workspace_id = parse_id(workspace_id, "workspace")
    member_id = parse_id(user_id, "member")
    row = publishing.transaction(
        deps,
        lambda conn: workspaces.change_role(
            conn, auth.ensure_current(conn, claims), workspace_id, member_id, body.role
        ),
    )
    return Member.from_row(row)
