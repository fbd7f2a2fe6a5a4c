"""How a session travels over HTTP: the JSON pair, and the refresh token as a cookie the
SPA's JavaScript never sees (httpOnly, Secure, SameSite=Strict, only sent to /api/auth).

SameSite=Strict keeps the cookie from other sites, but not from other pages of the same
site (another port or subdomain of the host), which are "same-site". So a request that
the refresh cookie alone authenticates must also show it comes from our own page
(require_own_page): an Origin that is ours or, where a client sends no Origin,
`Sec-Fetch-Site: same-origin` or the X-TaskForge-Client header, which no cross-origin
page can add without our CORS approval.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.shared.cookies import Cookie, SameSite

from functions.domain.auth.auth import REFRESH_COOKIE, Session
from functions.domain.auth.models import TokenPair
from functions.platform.errors import Forbidden
from functions.platform.settings import Settings

COOKIE_PATH = "/api/auth"
CLIENT_HEADER = "X-TaskForge-Client"


def session_response(settings: Settings, session: Session) -> Response[TokenPair]:
    return Response(
        status_code=200,
        content_type="application/json",
        body=session.pair,
        cookies=[refresh_cookie(settings, session.pair.refresh_token, session.refresh_max_age)],
    )


def refresh_cookie(settings: Settings, value: str, max_age: int) -> Cookie:
    return Cookie(
        name=REFRESH_COOKIE,
        value=value,
        path=COOKIE_PATH,
        secure=settings.cookie_secure,
        http_only=True,
        same_site=SameSite.STRICT_MODE,
        max_age=max_age,
    )


def cleared_cookie(settings: Settings) -> Cookie:
    return refresh_cookie(settings, "", 0)


def require_own_page(settings: Settings, headers: Mapping[str, str]) -> None:
    """Refuses (403) a cookie-authenticated request that does not show it comes from our own page."""
    origin = headers.get("origin")
    if origin is not None:
        if _normalized(origin) in _our_origins(settings) or _same_origin(origin, headers.get("host")):
            return
        raise Forbidden(f"requests from {origin[:100]} may not use the session cookie")
    if headers.get("sec-fetch-site") == "same-origin" or headers.get(CLIENT_HEADER.lower()):
        return
    raise Forbidden(f"send the request from the app, or with the {CLIENT_HEADER} header")


def _our_origins(settings: Settings) -> set[str]:
    return {_normalized(origin) for origin in (settings.public_url, settings.cors_allow_origin) if origin}


def _same_origin(origin: str, host: str | None) -> bool:
    # The page and the API on one host and port (the local stack, Vite's proxy): the
    # browser wrote Origin, and a page elsewhere cannot make it name our host.
    netloc = urlsplit(_normalized(origin)).netloc
    return bool(netloc) and host is not None and netloc == host.strip().lower()


def _normalized(origin: str) -> str:
    return origin.strip().rstrip("/").lower()
