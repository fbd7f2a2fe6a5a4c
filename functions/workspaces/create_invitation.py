"""POST /api/workspaces/{workspace_id}/invitations: an owner invites someone as editor or viewer.

The answer carries a single-use token (stored only as a hash) for the invited person, and
the link is also e-mailed to the invited address; a failure to mail it fails nothing
(`emailed` says whether it went).
"""

from aws_lambda_powertools import Logger

from functions.domain.auth import auth
from functions.domain.workspaces import invitation_mail, workspaces
from functions.domain.workspaces.models import Invitation, InvitationCreate
from functions.platform.api import api_handler, create_api
from functions.platform.dependencies import Dependencies
from functions.platform.http import parse_id
from functions.platform.settings import Settings

deps = Dependencies.from_settings(Settings.from_env())
logger = Logger(service="workspaces")
app = create_api(deps.settings)


@app.post("/api/workspaces/<workspace_id>/invitations", status_code=201, tags=["workspaces"],
          summary="Invite someone to a workspace")
def post_invitation(workspace_id: str, body: InvitationCreate) -> Invitation:
    claims = deps.caller(app)
    workspace_id = parse_id(workspace_id, "workspace")
    invitation = deps.database.transaction(lambda conn: workspaces.invite(
        conn, auth.ensure_current(conn, claims), workspace_id, body.email, body.role))
    # After the commit: the mail must never announce an invitation that does not exist.
    emailed = invitation_mail.send(deps.settings, body.email, body.role, invitation)
    return Invitation(id=invitation["id"], token=invitation["token"], emailed=emailed)


handler = api_handler(app, logger, "create-invitation", deps.verifier)
