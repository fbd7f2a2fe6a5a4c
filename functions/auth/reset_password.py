"""POST /api/auth/password-reset/{token}: choose a new password with the link's token.

No bearer token: the token from the e-mail is the credential (single use, 30 minutes,
void once the account's address changes). 204, and every session of the account has
ended, as after a password change. 400 for a token that was never sent, 410 for one
used or expired; 422 for a password the rules refuse, and the token still works.
"""

from aws_lambda_powertools.event_handler import Response

from functions.domain.auth import password_reset
from functions.domain.auth.models import ResetPasswordRequest
from functions.domain.auth.sessions import cleared_cookie
from functions.platform.db import Database
from functions.platform.errors import BadRequest
from functions.platform.function import api

app, settings, handler = api(__name__)
database = Database.for_settings(settings)


@app.post(
    "/api/auth/password-reset/<token>",
    status_code=204,
    tags=["auth"],
    summary="Choose a new password with the link's token",
)
def post_reset_password(token: str, body: ResetPasswordRequest) -> Response[None]:
    if not 10 <= len(token) <= 100:
        raise BadRequest("this link to choose a new password is not valid; ask for a new one")
    password_reset.reset(database, token, body.new_password)
    # The old session's cookie, if this browser has one, names a session that just ended.
    return Response(status_code=204, cookies=[cleared_cookie(settings)])
