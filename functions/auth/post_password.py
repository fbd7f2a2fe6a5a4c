"""POST /api/auth/password: change the password. Every outstanding token is revoked, and
so are the calendar feed URL and the reminder webhook; the answer says which existed."""

from aws_lambda_powertools.event_handler import Response

from functions.domain.auth import auth
from functions.domain.auth.models import ChangePasswordRequest, PasswordChanged
from functions.domain.auth.sessions import cleared_cookie
from functions.platform import tokens
from functions.platform.function import authenticated_api

app, deps, handler = authenticated_api(__name__)


@app.post("/api/auth/password", tags=["auth"], summary="Change the password")
def post_password(body: ChangePasswordRequest) -> Response[PasswordChanged]:
    claims = tokens.access_claims(deps.verifier, app.current_event.headers.get("authorization"))
    deps.database.transaction(lambda conn: auth.ensure_current(conn, claims))
    changed = auth.change_password(deps.database, claims.user_id, body.current_password, body.new_password)
    return Response(
        status_code=200, content_type="application/json", body=changed, cookies=[cleared_cookie(deps.settings)]
    )
