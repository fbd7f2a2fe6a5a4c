"""Lambda result → HTTP response, as API Gateway and ALB turn one into the other.

A result the front door would reject (no status code, a header that is not text, a
body that is not valid base64) raises `MalformedResult`; the caller answers 502.

One addition to what a front door takes, as Lambda's response streaming does: a body that is
an iterator of str is sent chunk by chunk as the handler produces it, so a large answer (an
export) never has to be held in memory whole.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# RFC 9110 field names are tokens.
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
# RFC 9110 5.5: a field value holds no control character but HTAB, and goes out as latin-1
# octets; the server refuses anything else, which would cost a 500 instead of the 502 it is.
_FORBIDDEN_IN_VALUES = re.compile(r"[\x00-\x08\x0a-\x1f\x7f\u0100-\U0010ffff]")
# Names already checked: whether each is kept (not hop-by-hop).
_KEPT_NAMES: dict[str, bool] = {}
_KEPT_NAMES_LIMIT = 1024
# Framing is the server's job; a handler that sets these would corrupt the stream.
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "upgrade",
    "content-length",
    "proxy-connection",
    "te",
    "trailer",
}


class MalformedResult(Exception):
    """The handler returned something no AWS front door would turn into a response."""


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    # A streamed body, in place of `body`: its chunks, sent as they come (no Content-Length).
    stream: Iterator[str] | None = None


def to_http_response(result: Any, event_format: str) -> HttpResponse:
    if event_format == "apigw-http" and not (isinstance(result, dict) and "statusCode" in result):
        # Payload format 2.0 infers a 200 JSON response from any other JSON value.
        try:
            body = json.dumps(result).encode()
        except (TypeError, ValueError) as exc:
            raise MalformedResult(f"result is not JSON-serialisable: {exc}") from None
        return HttpResponse(200, [("Content-Type", "application/json")], body)
    if not isinstance(result, dict):
        raise MalformedResult(f"result must be a dict with statusCode, got {type(result).__name__}")
    headers = _headers(result, with_cookies=event_format == "apigw-http")
    if event_format == "apigw-rest" and not any(name.lower() == "content-type" for name, _ in headers):
        headers.append(("Content-Type", "application/json"))  # API Gateway REST's default
    status = _status(result.get("statusCode"))
    content = result.get("body")
    if content is not None and type(content) is not str and isinstance(content, Iterator):
        if result.get("isBase64Encoded"):
            raise MalformedResult("a streamed body is text; it cannot be base64-encoded")
        return HttpResponse(status=status, headers=headers, body=b"", stream=content)
    return HttpResponse(status=status, headers=headers, body=_body(content, result.get("isBase64Encoded", False)))


def _status(value: Any) -> int:
    if type(value) is int:
        status: int = value
    elif (isinstance(value, int) and not isinstance(value, bool)) or (
        isinstance(value, str) and value.isascii() and value.isdigit()
    ):  # HTTPStatus.OK or "200", say; True is no status
        status = int(value)
    else:
        raise MalformedResult(f"statusCode must be an integer, got {value!r}")
    if not 100 <= status <= 599:
        raise MalformedResult(f"statusCode {status} is outside 100-599")
    return status


def _headers(result: dict[str, Any], with_cookies: bool) -> list[tuple[str, str]]:
    single = _mapping(result.get("headers"), "headers")
    multi = _mapping(result.get("multiValueHeaders"), "multiValueHeaders")
    headers: list[tuple[str, str]] = []
    if multi:
        # As API Gateway: a key in multiValueHeaders wins over the same key in headers.
        multi_keys = {str(key).lower() for key in multi}
        single = {name: value for name, value in single.items() if str(name).lower() not in multi_keys}
    for name, value in single.items():
        _add_header(headers, str(name), value)
    for name, values in multi.items():
        if not isinstance(values, list):
            raise MalformedResult(f"multiValueHeaders[{name!r}] must be a list")
        for value in values:
            _add_header(headers, str(name), value)
    if with_cookies:
        cookies = result.get("cookies") or []
        if not isinstance(cookies, list):
            raise MalformedResult("cookies must be a list of strings")
        for cookie in cookies:
            _add_header(headers, "Set-Cookie", cookie)
    return headers


def _add_header(headers: list[tuple[str, str]], name: str, value: Any) -> None:
    kept = _KEPT_NAMES.get(name)
    if kept is None:
        kept = _check_name(name)
    text = value if type(value) is str else _header_text(name, value)
    if _FORBIDDEN_IN_VALUES.search(text):
        raise MalformedResult(f"header {name!r} contains a line break, a control character or non-latin-1 text")
    if kept:
        headers.append((name, text))


def _check_name(name: str) -> bool:
    """Whether a valid header name is kept (MalformedResult if it is not valid); remembered,
    since a handler answers with the same few names again and again."""
    if not _TOKEN.fullmatch(name):
        raise MalformedResult(f"invalid header name {name!r}")
    kept = name.lower() not in _HOP_BY_HOP
    if len(_KEPT_NAMES) < _KEPT_NAMES_LIMIT:
        _KEPT_NAMES[name] = kept
    return kept


def _mapping(value: Any, field: str) -> dict[Any, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MalformedResult(f"{field} must be an object")
    return value


def _header_text(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise MalformedResult(f"header {name!r} has a non-scalar value")


def _body(body: Any, is_base64: Any) -> bytes:
    if body is None:
        return b""
    if not isinstance(body, str):
        raise MalformedResult(f"body must be a string, got {type(body).__name__}")
    if is_base64:
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise MalformedResult("isBase64Encoded is true but the body is not base64") from None
    return body.encode("utf-8", errors="replace")
