"""HTTP helpers the handlers share: the resolver every function starts from, problem+json
responses (RFC 9457) for every error it returns, path ids, ETags (a task's, a list's, and
If-None-Match) and page cursors."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import uuid
from http import HTTPStatus
from typing import Annotated, Any, TypeVar

from aws_lambda_powertools.event_handler import ALBResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.params import Header
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse, OpenAPIResponseHeader
from pydantic import BaseModel

from functions.platform.errors import BadRequest, NotFound

B = TypeVar("B", bound=BaseModel)

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


# -- lists that revalidate ------------------------------------------------------------------
#
# A list answers with an ETag that names what it shows: its kind, its scope, its query and
# either the scope's generation (which every write in it bumps) or the body itself. A client
# that sends it back in If-None-Match gets 304 and no body while that is still true. The
# handler checks authentication and access first, so a 304 tells no one anything a 200 would not.

IF_NONE_MATCH_MAX = 4096
IfNoneMatch = Annotated[
    str | None,
    Header(
        alias="If-None-Match",
        max_length=IF_NONE_MATCH_MAX,
        description="ETags of the list the client holds (or `*`): 304 without a body while one is current",
    ),
]
# One member of the list, after any empty ones (RFC 9110 5.6.1); etagc (8.8.3) is visible
# ASCII but DQUOTE, and obs-text.
_ENTITY_TAG = re.compile(r'[\s,]*(?:W/)?"([\x21\x23-\x7e\x80-\xff]*)"\s*(?:,|$)')


class NotModified(Exception):
    """Raised by a handler whose list the client holds already: the resolver answers 304 with
    the ETag and no body (functions/platform/api.py)."""

    def __init__(self, current: str) -> None:
        super().__init__(current)
        self.etag = current


class Stored(Exception):
    """Raised by a handler whose answer the cache holds: the resolver sends the stored body as
    it is, 200 with `headers` (functions/platform/api.py), outside the route's response
    validation, which the same body passed when it was first sent."""

    def __init__(self, body: str, headers: dict[str, str]) -> None:
        super().__init__("stored")
        self.body = body
        self.headers = headers


def body_text(body: BaseModel) -> str:
    """`body` as the resolver sends a route's response model (dumped by alias in JSON mode, then
    written compactly): a stored copy is byte for byte the answer that stored it."""
    return json.dumps(body.model_dump(mode="json", by_alias=True), separators=(",", ":"))


def list_etag(kind: str, *determinants: Any) -> str:
    """A strong ETag for a list: a digest of the kind and of everything that determines its
    body. Two different queries (or scopes, or generations) never share one."""
    text = json.dumps([kind, *determinants], sort_keys=True, separators=(",", ":"), default=str)
    return f'"{hashlib.sha256(text.encode()).hexdigest()[:32]}"'


def body_etag(kind: str, parameters: Any, body: BaseModel) -> str:
    """The ETag of a list that no generation covers (memberships, reminders): its body, with the
    query that asked for it, so it changes exactly when what the response shows changes."""
    return list_etag(kind, parameters, body.model_dump(mode="json"))


def none_match(header: str | None, current: str) -> bool:
    """Whether If-None-Match names the current representation (RFC 9110 13.1.2): `*`, or a list
    of entity tags compared weakly (`W/"x"` matches `"x"`). A malformed member matches nothing;
    the members before it still count."""
    if header is None:
        return False
    if header.strip() == "*":
        return True
    wanted = current.removeprefix("W/")
    position, tags = 0, []
    while position < len(header):
        found = _ENTITY_TAG.match(header, position)
        if found is None:
            break
        tags.append(f'"{found.group(1)}"')
        position = found.end()
    return wanted in tags


def revalidate(header: str | None, current: str) -> None:
    """Raises NotModified (304) when If-None-Match names `current`."""
    if none_match(header, current):
        raise NotModified(current)


def with_etag(body: B, current: str) -> Response[B]:
    """A list's 200: its body and its ETag."""
    return Response(200, "application/json", body, headers={"ETag": current})


def conditional(body: B, kind: str, parameters: Any, header: str | None) -> Response[B]:
    """A list whose ETag is its body's: 304 when If-None-Match names it, else 200 with it."""
    current = body_etag(kind, parameters, body)
    revalidate(header, current)
    return with_etag(body, current)


def conditional_responses(what: str) -> dict[int, OpenAPIResponse]:
    """The responses a revalidating list documents (the route decorator's `responses`)."""
    header: OpenAPIResponseHeader = {
        "description": "Names this list as it is now: send it back as If-None-Match",
        "schema": {"type": "string", "pattern": '^"[0-9a-f]{32}"$'},
    }
    return {
        200: {"description": what, "headers": {"ETag": header}},
        304: {
            "description": "Not Modified: If-None-Match names the current ETag; no body",
            "headers": {"ETag": header},
            "content": {},
        },
    }


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
