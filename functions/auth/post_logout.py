"""POST /api/auth/logout: end every session of the caller and clear the refresh cookie.

The caller is known by its access token or, once that has expired, by its refresh
cookie; then the request must come from our own page (sessions.require_own_page), or
any page of the same site could log everyone out.
"""

from aws_lambda_powertools.event_handler import Response

from functions.domain.auth import auth
from functions.domain.auth.sessions import cleared_cookie, require_own_page
from functions.platform import tokens
from functions.platform.db import Database
from functions.platform.errors import Unauthorized
from functions.platform.function import api
from functions.platform.http import read_cookie

app, settings, handler = api(__name__)
database = Database.for_settings(settings)
verifier = tokens.verifier_from(settings)


@app.post("/api/auth/logout", status_code=204, tags=["auth"], summary="Log out everywhere")
def post_logout() -> Response[None]:
    headers = app.current_event.headers
    refresh_token = read_cookie(headers.get("cookie"), auth.REFRESH_COOKIE)
    try:
        claims = tokens.access_claims(verifier, headers.get("authorization"))
    except Unauthorized:
        # An expired access token must not stop a logout: the refresh cookie names the caller.
        if not refresh_token:
            raise
        require_own_page(settings, headers)
        claims = verifier.verify(refresh_token, "refresh")
    database.transaction(lambda conn: auth.ensure_current(conn, claims))
    auth.logout(database, claims.user_id)
    return Response(status_code=204, cookies=[cleared_cookie(settings)])
