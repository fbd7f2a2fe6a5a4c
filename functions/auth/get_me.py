"""GET /api/auth/me: the caller's account."""

from functions.domain.auth import accounts, auth
from functions.domain.auth.models import User
from functions.platform import tokens
from functions.platform.db import Connection
from functions.platform.errors import Unauthorized
from functions.platform.function import authenticated_api

app, deps, handler = authenticated_api(__name__)


@app.get("/api/auth/me", tags=["auth"], summary="The current user")
def get_me() -> User:
    claims = tokens.access_claims(deps.verifier, app.current_event.headers.get("authorization"))

    def load(conn: Connection) -> User:
        user = accounts.get_user(conn, auth.ensure_current(conn, claims))
        if user is None:
            raise Unauthorized("the account no longer exists")
        return User.from_row(user)

    return deps.database.transaction(load)
