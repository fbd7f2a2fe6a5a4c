"""POST /api/invitations/{token}/accept: the invited person joins the workspace.

Only the account whose verified address the invitation was sent to may accept (403;
with `"reason": "email-unverified"` while that address is not verified yet), and only
an open invitation: 409 once accepted, 410 once revoked, expired or no longer backed
by an owner.
"""

from aws_lambda_powertools.event_handler import Response

from functions.domain.activity import publishing
from functions.domain.auth import auth
from functions.domain.workspaces import workspaces
from functions.domain.workspaces.models import Workspace
from functions.platform.errors import NotFound
from functions.platform.function import authenticated_api
from functions.platform.http import problem_response

app, deps, handler = authenticated_api(__name__)


@app.exception_handler(workspaces.EmailUnverified)
def _email_unverified(error: workspaces.EmailUnverified) -> Response[str]:
    # A member the SPA can act on (offer to send the link again), beside the sentence.
    return problem_response(error.status, error.detail, headers=error.headers, reason=error.reason)


@app.post("/api/invitations/<token>/accept", tags=["workspaces"], summary="Accept an invitation")
def post_accept_invitation(token: str) -> Workspace:
    claims = deps.caller(app)
    if not 10 <= len(token) <= 100:
        raise NotFound("no such invitation")
    row = publishing.transaction(deps, lambda conn: workspaces.accept(conn, auth.ensure_current(conn, claims), token))
    return Workspace.from_row(row)
