"""GET /api/auth/me: the caller's account."""

from aws_lambda_powertools import Logger

from functions.domain.auth import accounts, auth
from functions.domain.auth.models import User
from functions.platform import tokens
from functions.platform.api import api_handler, create_api
from functions.platform.db import Connection, Database
from functions.platform.errors import Unauthorized
from functions.platform.settings import Settings

settings = Settings.from_env()
database = Database.for_settings(settings)
verifier = tokens.verifier_from(settings)
logger = Logger(service="auth")
app = create_api(settings)


@app.get("/api/auth/me", tags=["auth"], summary="The current user")
def get_me() -> User:
    claims = tokens.access_claims(verifier, app.current_event.headers.get("authorization"))

    def load(conn: Connection) -> User:
        user = accounts.get_user(conn, auth.ensure_current(conn, claims))
        if user is None:
            raise Unauthorized("the account no longer exists")
        return User.from_row(user)

    return database.transaction(load)


handler = api_handler(app, logger, "me", verifier)
