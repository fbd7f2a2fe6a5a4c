"""GET /api/invitations/{token}: what an invitation's link shows before anyone logs in.

No bearer token: the link's token is the credential, and a logged-out invitee lands here.
The answer holds the workspace's name, the role, who invites and until when, nothing
more. 404 for a token never issued; 410 once it was accepted, revoked or expired, or its
inviter is no longer an owner. Limited per client address (domain/auth/anonymous.py).
"""

from functions.domain.auth.anonymous import ClientLimit
from functions.domain.workspaces import workspaces
from functions.domain.workspaces.models import InvitationPreview
from functions.platform.db import Database
from functions.platform.errors import NotFound
from functions.platform.function import api

app, settings, handler = api(__name__)
database = Database.for_settings(settings)
limit = ClientLimit(settings)


@app.get("/api/invitations/<token>", tags=["workspaces"], summary="What an invitation is for")
def get_invitation(token: str) -> InvitationPreview:
    limit.check(app.current_event.headers.get("x-forwarded-for"))
    if not 10 <= len(token) <= 100:
        raise NotFound("no such invitation")
    return InvitationPreview.from_row(database.transaction(lambda conn: workspaces.preview(conn, token)))
