"""HTTP helpers the handlers share: the resolver every function starts from, and
problem+json responses (RFC 9457) for every error it returns."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import ALBResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError

PROBLEM_JSON = "application/problem+json"


def problem_response(status: int, detail: str, headers: dict[str, str] | None = None,
                     **extensions: Any) -> Response[str]:
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status,
            "detail": detail, **extensions}
    return Response(status_code=status, content_type=PROBLEM_JSON, body=json.dumps(body),
                    headers=headers or {})


def create_resolver() -> ALBResolver:
    """An ALB resolver whose errors are problem+json, like every other error we send."""
    app = ALBResolver()

    @app.not_found
    def _not_found(_: NotFoundError) -> Response[str]:
        event = app.current_event
        return problem_response(404, f"no route for {event.http_method} {event.path}")

    return app


def read_cookie(cookie_header: str | None, name: str) -> str | None:
    from http.cookies import CookieError, SimpleCookie

    if not cookie_header:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(cookie_header)
    except CookieError:
        return None
    morsel = jar.get(name)
    return morsel.value if morsel else None
