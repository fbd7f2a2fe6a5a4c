"""HTTP helpers the handlers share: the resolver every function starts from, problem+json
responses (RFC 9457) for every error it returns, path ids, ETags and page cursors."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import ALBResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError

from functions.platform.errors import BadRequest, NotFound

PROBLEM_JSON = "application/problem+json"
INVALID_CURSOR = "the cursor is not valid; start again without it"


def problem_response(
    status: int, detail: str, headers: dict[str, str] | None = None, **extensions: Any
) -> Response[str]:
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status, "detail": detail, **extensions}
    return Response(status_code=status, content_type=PROBLEM_JSON, body=json.dumps(body), headers=headers or {})


def create_resolver() -> ALBResolver:
    """An ALB resolver whose errors are problem+json, like every other error we send."""
    return answer_unknown_routes(ALBResolver())


def answer_unknown_routes(app: ALBResolver) -> ALBResolver:
    """A request no route takes gets a problem+json 404 naming what was asked for."""

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


def parse_id(raw: str, what: str = "task") -> str:
    """An id from a path; anything that is not a UUID names nothing (404, not 422)."""
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        raise NotFound(f"no such {what}") from None


def etag(row: dict[str, Any]) -> str:
    return f'"{row["version"]}"'


def parse_if_match(header: str | None) -> set[int] | None:
    """If-Match as a set of acceptable versions; None when absent or `*`."""
    if header is None or header.strip() == "*":
        return None
    versions = set()
    for part in header.split(","):
        tag = part.strip().removeprefix("W/").strip('"')
        if tag.isdigit():
            versions.add(int(tag))
    return versions  # an empty set matches nothing: a malformed If-Match is a failed precondition


def encode_cursor(position: Any) -> str:
    """An opaque page cursor: where the next page starts, as URL-safe base64 of its JSON."""
    return base64.urlsafe_b64encode(json.dumps(position, sort_keys=True).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> Any:
    """The position a cursor stands for; 400 when it is not one of ours. Callers check its shape."""
    try:
        return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):
        raise BadRequest(INVALID_CURSOR) from None
