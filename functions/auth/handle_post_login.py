"""POST /api/auth/login: a token pair, and the refresh token as an httpOnly cookie.

Failed logins are counted per account and per client address; past the limit the
answer is 429 with Retry-After, even when Redis is down (a per-process fallback).
"""

from typing import Annotated

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from functions.taskforge import auth
from functions.taskforge.api import api_handler, create_api
from functions.taskforge.auth_models import LoginRequest, TokenPair
from functions.taskforge.cache import Cache
from functions.taskforge.db import Database
from functions.taskforge.ratelimit import Counters, MemoryCounters
from functions.taskforge.sessions import session_response
from functions.taskforge.settings import Settings

settings = Settings.from_env()
database = Database.for_settings(settings)
counters = Counters(Cache(settings), fallback=MemoryCounters())
signer = auth.signer_from(settings)
logger = Logger(service="auth")
app = create_api(settings)


@app.post("/api/auth/login", tags=["auth"], summary="Log in")
def post_login(body: Annotated[LoginRequest, Body()]) -> Response[TokenPair]:
    ip = auth.client_ip(app.current_event.headers.get("x-forwarded-for"))
    session = auth.login(database, settings, signer, counters, body.email, body.password, ip)
    return session_response(settings, session)


handler = api_handler(app, logger, "login")
