"""How a session travels over HTTP: the JSON pair, and the refresh token as a cookie the
SPA's JavaScript never sees (httpOnly, Secure, SameSite=Strict, only sent to /api/auth)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.shared.cookies import Cookie, SameSite

from .auth import REFRESH_COOKIE, Session
from .auth_models import TokenPair
from .settings import Settings

COOKIE_PATH = "/api/auth"


def session_response(settings: Settings, session: Session) -> Response[TokenPair]:
    return Response(
        status_code=200,
        content_type="application/json",
        body=session.pair,
        cookies=[refresh_cookie(settings, session.pair.refresh_token, session.refresh_max_age)],
    )


def refresh_cookie(settings: Settings, value: str, max_age: int) -> Cookie:
    return Cookie(name=REFRESH_COOKIE, value=value, path=COOKIE_PATH, secure=settings.cookie_secure,
                  http_only=True, same_site=SameSite.STRICT_MODE, max_age=max_age)


def cleared_cookie(settings: Settings) -> Cookie:
    return refresh_cookie(settings, "", 0)
