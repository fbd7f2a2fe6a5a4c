"""POST /api/auth/login: a token pair, and the refresh token as an httpOnly cookie.

Failed logins are counted in PostgreSQL per account, per client address and per known
device (the answer's device_token; see functions/domain/auth/auth.py); past a limit the answer is 429 with
Retry-After, the same in every process and pod, whatever Redis is doing.
"""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from functions.domain.auth import auth
from functions.domain.auth.models import LoginRequest, TokenPair
from functions.domain.auth.sessions import session_response
from functions.platform import tokens
from functions.platform.db import Database
from functions.platform.function import api

app, settings, handler = api(__name__)
database = Database.for_settings(settings)
signer = tokens.signer_from(settings)
verifier = tokens.verifier_from(settings)


@app.post("/api/auth/login", tags=["auth"], summary="Log in")
def post_login(body: Annotated[LoginRequest, Body()]) -> Response[TokenPair]:
    client = auth.client_address(app.current_event.headers.get("x-forwarded-for"), settings)
    session = auth.login(database, settings, signer, verifier, body.email, body.password, client, body.device_token)
    return session_response(settings, session)
