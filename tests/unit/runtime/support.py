"""Builders shared by the runtime's unit tests: requests, targets, WSGI environs, contexts."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from functions.runtime.context import LambdaContext
from functions.runtime.http_events import HttpRequest, Target
from functions.runtime.routes import find_route, parse_routes

AWS_EVENTS = Path(__file__).parent / "aws_events"
REGION = "eu-west-1"
ACCOUNT_ID = "123456789012"
FUNCTION_NAME = "tasks-api"
RECEIVED_AT = 1_714_550_400.25  # 2024-05-01T08:00:00.250Z


def aws_sample(name: str) -> dict[str, Any]:
    """A sample event as AWS publishes it, stored under aws_events/."""
    return json.loads((AWS_EVENTS / name).read_text())  # type: ignore[no-any-return]


def make_request(
    method: str = "GET",
    target: str = "/",
    headers: list[tuple[str, str]] | None = None,
    body: bytes = b"",
    request_id: str = "req-7f3a",
    source_ip: str = "203.0.113.7",
) -> HttpRequest:
    """A request as the server received it: raw target, header names folded to lower case."""
    raw_path, _, raw_query = target.partition("?")
    return HttpRequest(
        method=method,
        raw_path=raw_path,
        raw_query=raw_query,
        headers=tuple((name.lower(), value) for name, value in headers or []),
        body=body,
        source_ip=source_ip,
        protocol="HTTP/1.1",
        request_id=request_id,
        received_at=RECEIVED_AT,
    )


def target_for(request: HttpRequest, routes: str | None = None) -> Target:
    """The Target the runtime would build: the matched route (if any) and its parameters."""
    match = find_route(parse_routes(routes), request.method, request.raw_path) if routes else None
    route, parameters = match if match else (None, {})
    return Target(route, parameters, FUNCTION_NAME, REGION, ACCOUNT_ID)


def make_context(timeout_seconds: float = 3.0) -> LambdaContext:
    return LambdaContext(
        function_name=FUNCTION_NAME,
        request_id="req-7f3a",
        timeout_seconds=timeout_seconds,
        memory_mb=512,
        region=REGION,
        account_id=ACCOUNT_ID,
    )


def make_environ(
    method: str = "GET",
    target: str = "/",
    headers: dict[str, str] | None = None,
    body: bytes = b"",
    send_content_length: bool = True,
) -> dict[str, Any]:
    """A WSGI environ as the server builds it (bridge.py): RAW_URI keeps the target as sent, PATH_INFO is decoded."""
    raw_path, _, query = target.partition("?")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "RAW_URI": target,
        "PATH_INFO": unquote(raw_path, encoding="latin-1"),
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "8080",
        "REMOTE_ADDR": "10.1.2.3",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
    }
    for name, value in (headers or {}).items():
        key = name.upper().replace("-", "_")
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            environ[key] = value
        else:
            environ[f"HTTP_{key}"] = value
    if send_content_length and body and "CONTENT_LENGTH" not in environ:
        environ["CONTENT_LENGTH"] = str(len(body))
    return environ


@dataclass
class WsgiResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        values = [value for key, value in self.headers if key.lower() == name.lower()]
        return ",".join(values) if values else None

    def json(self) -> Any:
        return json.loads(self.body)


def call_wsgi(app: Any, environ: dict[str, Any]) -> WsgiResponse:
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        captured["status"], captured["headers"] = status, headers

    body = b"".join(app(environ, start_response))
    return WsgiResponse(int(captured["status"].split()[0]), captured["headers"], body)
