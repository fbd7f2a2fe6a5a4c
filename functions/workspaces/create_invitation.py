"""POST /api/workspaces/{workspace_id}/invitations: an owner invites someone as editor or viewer.

The answer carries a single-use token (stored only as a hash) for the invited person, and
the link is also e-mailed to the invited address; a failure to mail it fails nothing
(`emailed` says whether it went).
"""

from functions.domain.activity import publishing
from functions.domain.auth import auth
from functions.domain.workspaces import invitation_mail, workspaces
from functions.domain.workspaces.models import Invitation, InvitationCreate
from functions.platform.function import authenticated_api
from functions.platform.http import parse_id

app, deps, handler = authenticated_api(__name__)


@app.post(
    "/api/workspaces/<workspace_id>/invitations",
    status_code=201,
    tags=["workspaces"],
    summary="Invite someone to a workspace",
)
def post_invitation(workspace_id: str, body: InvitationCreate) -> Invitation:
    claims = deps.caller(app)
    workspace_id = parse_id(workspace_id, "workspace")
    invitation = publishing.transaction(
        deps,
        lambda conn: workspaces.invite(conn, auth.ensure_current(conn, claims), workspace_id, body.email, body.role),
    )
    # After the commit: the mail must never announce an invitation that does not exist.
    emailed = invitation_mail.send(deps.settings, body.email, body.role, invitation)
    return Invitation(id=invitation["id"], token=invitation["token"], emailed=emailed)
