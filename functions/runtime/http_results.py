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
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
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
    if isinstance(content, Iterator):
        if result.get("isBase64Encoded"):
            raise MalformedResult("a streamed body is text; it cannot be base64-encoded")
        return HttpResponse(status=status, headers=headers, body=b"", stream=content)
    return HttpResponse(status=status, headers=headers, body=_body(content, result.get("isBase64Encoded", False)))


def _status(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise MalformedResult(f"statusCode must be an integer, got {value!r}")
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise MalformedResult(f"statusCode must be an integer, got {value!r}")
    status = int(value)
    if not 100 <= status <= 599:
        raise MalformedResult(f"statusCode {status} is outside 100-599")
    return status


def _headers(result: dict[str, Any], with_cookies: bool) -> list[tuple[str, str]]:
    single = _mapping(result.get("headers"), "headers")
    multi = _mapping(result.get("multiValueHeaders"), "multiValueHeaders")
    pairs: list[tuple[str, str]] = []
    # As API Gateway: a key in multiValueHeaders wins over the same key in headers.
    multi_keys = {str(key).lower() for key in multi}
    for name, value in single.items():
        if str(name).lower() not in multi_keys:
            pairs.append((str(name), _header_value(name, value)))
    for name, values in multi.items():
        if not isinstance(values, list):
            raise MalformedResult(f"multiValueHeaders[{name!r}] must be a list")
        pairs.extend((str(name), _header_value(name, value)) for value in values)
    if with_cookies:
        cookies = result.get("cookies") or []
        if not isinstance(cookies, list):
            raise MalformedResult("cookies must be a list of strings")
        pairs.extend(("Set-Cookie", _header_value("Set-Cookie", cookie)) for cookie in cookies)
    for name, _ in pairs:
        if not _TOKEN.match(name):
            raise MalformedResult(f"invalid header name {name!r}")
    return [(name, value) for name, value in pairs if name.lower() not in _HOP_BY_HOP]


def _mapping(value: Any, field: str) -> dict[Any, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MalformedResult(f"{field} must be an object")
    return value


def _header_value(name: Any, value: Any) -> str:
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (str, int, float)):
        text = str(value)
    else:
        raise MalformedResult(f"header {name!r} has a non-scalar value")
    if "\r" in text or "\n" in text or "\0" in text:
        raise MalformedResult(f"header {name!r} contains a line break")
    return text


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
