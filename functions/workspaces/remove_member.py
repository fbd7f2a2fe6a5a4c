"""DELETE /api/workspaces/{workspace_id}/members/{user_id}: an owner removes a member, or a member leaves.

The last owner cannot leave (409), nor can anyone leave their personal workspace.
"""

from aws_lambda_powertools.event_handler import Response

from functions.domain.activity import publishing
from functions.domain.auth import auth
from functions.domain.workspaces import workspaces
from functions.platform.function import authenticated_api
from functions.platform.http import parse_id

app, deps, handler = authenticated_api(__name__)


@app.delete(
    "/api/workspaces/<workspace_id>/members/<user_id>",
    status_code=204,
    tags=["workspaces"],
    summary="Remove a member, or leave",
)
def delete_member(workspace_id: str, user_id: str) -> Response[None]:
    claims = deps.caller(app)
    workspace_id = parse_id(workspace_id, "workspace")
    member_id = parse_id(user_id, "member")
    publishing.transaction(
        deps, lambda conn: workspaces.remove_member(conn, auth.ensure_current(conn, claims), workspace_id, member_id)
    )
    return Response(status_code=204)
