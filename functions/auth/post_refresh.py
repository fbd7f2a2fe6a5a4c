"""POST /api/auth/refresh: rotate the refresh token (cookie or body) into a new pair.

With the cookie, the request must come from our own page (sessions.require_own_page);
a client that sends the token in the body holds it itself and needs no such proof.
"""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from functions.domain.auth import auth
from functions.domain.auth.models import RefreshRequest, TokenPair
from functions.domain.auth.sessions import require_own_page, session_response
from functions.platform import tokens
from functions.platform.db import Database
from functions.platform.errors import Unauthorized
from functions.platform.function import api
from functions.platform.http import read_cookie

app, settings, handler = api(__name__)
database = Database.for_settings(settings)
signer = tokens.signer_from(settings)
verifier = tokens.verifier_from(settings)


@app.post("/api/auth/refresh", tags=["auth"], summary="Exchange a refresh token for a new pair")
def post_refresh(body: Annotated[RefreshRequest | None, Body()] = None) -> Response[TokenPair]:
    headers = app.current_event.headers
    token = body.refresh_token if body else None
    if not token:
        token = read_cookie(headers.get("cookie"), auth.REFRESH_COOKIE)
        if token:
            require_own_page(settings, headers)
    if not token:
        raise Unauthorized("no refresh token was sent")
    return session_response(settings, auth.refresh(database, settings, signer, verifier, token))
