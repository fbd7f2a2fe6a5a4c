"""DELETE /api/workspaces/{workspace_id}/invitations/{invitation_id}: an owner revokes an open invitation.

204 (again when it was revoked already); 409 once it was accepted. Its link then answers 410.
"""

from aws_lambda_powertools.event_handler import Response

from functions.domain.activity import publishing
from functions.domain.auth import auth
from functions.domain.workspaces import workspaces
from functions.platform.function import authenticated_api
from functions.platform.http import parse_id

app, deps, handler = authenticated_api(__name__)


@app.delete(
    "/api/workspaces/<workspace_id>/invitations/<invitation_id>",
    status_code=204,
    tags=["workspaces"],
    summary="Revoke an invitation",
)
def delete_invitation(workspace_id: str, invitation_id: str) -> Response[None]:
    claims = deps.caller(app)
    workspace_id = parse_id(workspace_id, "workspace")
    invitation_id = parse_id(invitation_id, "invitation")
    publishing.transaction(
        deps, lambda conn: workspaces.revoke(conn, auth.ensure_current(conn, claims), workspace_id, invitation_id)
    )
    return Response(status_code=204)
