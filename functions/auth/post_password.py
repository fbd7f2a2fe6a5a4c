"""POST /api/auth/password: change the password. Every outstanding token is revoked, and
so are the calendar feed URL and the reminder webhook; the answer says which existed."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response

from functions.domain.auth import auth
from functions.domain.auth.models import ChangePasswordRequest, PasswordChanged
from functions.domain.auth.sessions import cleared_cookie
from functions.platform import tokens
from functions.platform.api import api_handler, create_api
from functions.platform.db import Database
from functions.platform.settings import Settings

settings = Settings.from_env()
database = Database.for_settings(settings)
verifier = tokens.verifier_from(settings)
logger = Logger(service="auth")
app = create_api(settings)


@app.post("/api/auth/password", tags=["auth"], summary="Change the password")
def post_password(body: ChangePasswordRequest) -> Response[PasswordChanged]:
    claims = tokens.access_claims(verifier, app.current_event.headers.get("authorization"))
    database.transaction(lambda conn: auth.ensure_current(conn, claims))
    changed = auth.change_password(database, claims.user_id, body.current_password, body.new_password)
    return Response(status_code=200, content_type="application/json", body=changed,
                    cookies=[cleared_cookie(settings)])


handler = api_handler(app, logger, "change-password", verifier)
