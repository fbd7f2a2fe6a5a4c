"""Plain Lambda handlers: answer with the event they received, or misbehave on request.

Paths under /out/ choose a result shape instead of the echo, so one process per
event format covers the request mapping, the result mapping and the failures.
"""

from __future__ import annotations

import base64
import json
from typing import Any

STREAM_CHUNKS = ("first,é\r\n", "", "second\r\n", "third\r\n")
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
FAILURE_MESSAGE = "deliberate failure from echo_handlers"


def handler(event: dict[str, Any], context: Any) -> Any:
    path = event.get("rawPath") or event.get("path") or ""
    if path.startswith("/out/"):
        return _result(path.removeprefix("/out/"))
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(event),
    }


def _result(kind: str) -> Any:
    if kind == "raise":
        raise RuntimeError(FAILURE_MESSAGE)
    if kind == "int":
        return 42
    if kind == "bad-status":
        return {"statusCode": "abc", "body": "not a status"}
    if kind == "bad-base64":
        return {"statusCode": 200, "body": "%%% not base64 %%%", "isBase64Encoded": True}
    if kind == "binary":
        return {
            "statusCode": 200,
            "headers": {"Content-Type": "image/png"},
            "body": base64.b64encode(PNG_BYTES).decode("ascii"),
            "isBase64Encoded": True,
        }
    if kind == "multi-cookies":
        return {
            "statusCode": 200,
            "headers": {"Content-Type": "text/plain"},
            "multiValueHeaders": {"Set-Cookie": ["first=1; Path=/", "second=2; Path=/; HttpOnly"]},
            "body": "cookies",
        }
    if kind == "v2-cookies":
        return {
            "statusCode": 200,
            "headers": {"Content-Type": "text/plain"},
            "cookies": ["first=1; Path=/", "second=2; Path=/; HttpOnly"],
            "body": "cookies",
        }
    if kind == "stream":
        return {"statusCode": 200, "headers": {"Content-Type": "text/csv"}, "body": iter(STREAM_CHUNKS)}
    if kind == "stream-fails":
        return {"statusCode": 200, "headers": {"Content-Type": "text/csv"}, "body": _failing_stream()}
    return {"statusCode": 200, "body": f"ok {kind}"}


def _failing_stream() -> Any:
    yield STREAM_CHUNKS[0]
    raise RuntimeError(FAILURE_MESSAGE + " while streaming")
