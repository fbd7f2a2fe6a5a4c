"""The runtime as a WSGI application: one request in, one handler invocation, one response out.

It answers the runtime's own probes, reads the request within the body limit, turns
it into the configured Lambda event (or an EventBridge event for a CloudEvent),
invokes the handler with a Lambda context and turns the result back into HTTP.
A handler that raises or returns garbage costs one 502 (HTTP) or 500 (CloudEvent,
so Knative retries); the process keeps serving.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from http import HTTPStatus
from typing import Any
from urllib.parse import quote, urlsplit

from . import cloudevents
from .config import Handler, RuntimeConfig
from .context import LambdaContext
from .http_events import HttpRequest, Target, alb_event, http_api_event, rest_event
from .http_results import HttpResponse, MalformedResult, to_http_response
from .problem import problem
from .routes import find_route
from .turns import TurnLock

# Reserved for the runtime: no API Gateway or ALB route can start with "/__runtime".
LIVENESS_PATH = "/__runtime/live"
READINESS_PATH = "/__runtime/ready"

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,128}$")

# The WSGI environ folds repeated headers into one; the server hands the raw
# header list to the application through this per-thread slot (see server.py).
wire_headers = threading.local()

logger = logging.getLogger("functions.runtime")

# Strict mode means one invocation per process, as on Lambda, whatever the number of
# functions the process hosts: Powertools keeps the current event in class attributes
# shared by every resolver in the process. Waiting invocations go in the order they came.
_ONE_INVOCATION_PER_PROCESS = TurnLock()

StartResponse = Callable[..., Any]


class BodyTooLarge(Exception):
    pass


class RuntimeApp:
    def __init__(self, config: RuntimeConfig, handler: Handler, draining: threading.Event | None = None) -> None:
        self.config = config
        self.handler = handler
        self.draining = draining or threading.Event()
        # A function with HTTP routes never takes CloudEvents: a client must not be
        # able to smuggle an EventBridge event into an API handler with ce-* headers.
        self.accepts_cloudevents = not config.routes
        self._one_at_a_time = _ONE_INVOCATION_PER_PROCESS if config.strict else nullcontext()
        self._unrouted = Target(None, {}, config.function_name, config.region, config.account_id)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/__runtime/"):
            return _send(start_response, self._probe(path))
        received_at = time.time()
        headers = _request_headers(environ)
        header_map = dict(headers)
        request_id = _request_id(header_map)
        try:
            body = _read_body(environ, self.config.max_body_bytes)
        except BodyTooLarge:
            response = problem(
                413,
                f"request body exceeds {self.config.max_body_bytes} bytes",
                request_id,
                headers=[("Connection", "close")],
            )
            return _send(start_response, response)
        method = environ.get("REQUEST_METHOD", "GET").upper()
        if self.accepts_cloudevents and method == "POST" and cloudevents.is_cloudevent(header_map):
            return _send(start_response, self._invoke_event(header_map, body, request_id))
        try:
            raw_path, raw_query = _raw_target(environ)
        except ValueError:  # a server may refuse such a target itself (gunicorn did); another passes it on
            return _send(start_response, problem(400, "malformed request target", request_id))
        request = HttpRequest(
            method=method,
            raw_path=raw_path,
            raw_query=raw_query,
            headers=headers,
            body=body,
            source_ip=_source_ip(header_map, environ),
            protocol=environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
            request_id=request_id,
            received_at=received_at,
        )
        return _send(start_response, self._invoke_http(request))

    def _probe(self, path: str) -> HttpResponse:
        if path == LIVENESS_PATH:
            return HttpResponse(200, [("Content-Type", "text/plain")], b"live\n")
        if path == READINESS_PATH:
            if self.draining.is_set():
                return HttpResponse(503, [("Content-Type", "text/plain")], b"draining\n")
            return HttpResponse(200, [("Content-Type", "text/plain")], b"ready\n")
        return problem(404, "unknown runtime path")

    def _invoke_http(self, request: HttpRequest) -> HttpResponse:
        config = self.config
        if config.event_format == "alb":
            # An ALB forwards every request and its event names no route: nothing to match.
            event = alb_event(request, self._unrouted, config.alb_multi_value_headers)
        else:
            routable_path = _routable_path(request.raw_path, config.event_format)
            match = find_route(config.routes, request.method, routable_path) if config.routes else None
            if config.routes and match is None:
                # API Gateway answers unrouted requests itself; the function never sees them.
                return problem(404, f"no route for {request.method} {request.raw_path}", request.request_id)
            route, parameters = match if match else (None, {})
            target = Target(route, parameters, config.function_name, config.region, config.account_id)
            if config.event_format == "apigw-rest":
                event = rest_event(request, target)
            else:
                event = http_api_event(request, target)
        try:
            result = self._call_handler(event, request.request_id, request.header("traceparent"))
            response = to_http_response(result, config.event_format)
        except MalformedResult as exc:
            logger.error("request %s: handler returned a malformed result: %s", request.request_id, exc)
            return problem(502, f"the function returned an invalid response: {exc}", request.request_id)
        except Exception:
            logger.exception("request %s: handler raised", request.request_id)
            return problem(502, "the function failed; see its log for this request id", request.request_id)
        return response

    def _invoke_event(self, headers: dict[str, str], body: bytes, request_id: str) -> HttpResponse:
        event_id = headers.get("ce-id", "")
        request_id = event_id if _REQUEST_ID.match(event_id) else request_id
        try:
            event = cloudevents.to_eventbridge(headers, body, self.config.region, self.config.account_id)
        except cloudevents.MalformedCloudEvent as exc:
            return problem(400, f"malformed CloudEvent: {exc}", request_id)
        trace_parent = event["cloudevent"].get("traceparent") or headers.get("traceparent")
        try:
            self._call_handler(event, request_id, trace_parent)
        except Exception:
            logger.exception("event %s: handler raised", request_id)
            # 5xx tells Knative to redeliver with its retry policy.
            return problem(500, "the function failed; the event will be redelivered", request_id)
        return HttpResponse(204, [], b"")

    def _call_handler(self, event: dict[str, Any], request_id: str, trace_parent: str | None) -> Any:
        context = LambdaContext(
            function_name=self.config.function_name,
            request_id=request_id,
            timeout_seconds=self.config.function_timeout,
            memory_mb=self.config.memory_mb,
            region=self.config.region,
            account_id=self.config.account_id,
            trace_parent=trace_parent,
        )
        with self._one_at_a_time:
            return self.handler(event, context)


def _send(start_response: StartResponse, response: HttpResponse) -> Iterable[bytes]:
    if response.stream is not None:
        # No Content-Length: the server frames the chunks (chunked on HTTP/1.1).
        start_response(_status_line(response.status), list(response.headers))
        return _StreamedBody(response.stream)
    headers = [*response.headers, ("Content-Length", str(len(response.body)))]
    start_response(_status_line(response.status), headers)
    return [response.body]


class _StreamedBody:
    """A handler's streamed body as WSGI wants it: UTF-8 bytes, one chunk at a time, and
    `close()` (which the server calls, also when the client goes away) closing the handler's
    iterator, so what it holds open (a database cursor) is let go. A failure half way is
    logged and ends the body early: the server then closes the connection without the final
    chunk, so the client can tell the answer is incomplete."""

    def __init__(self, chunks: Iterator[str]) -> None:
        self._chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        try:
            for chunk in self._chunks:
                if chunk:
                    yield chunk.encode("utf-8")
        except Exception:
            logger.exception("a streamed body failed half way; the response ends incomplete")
            raise

    def close(self) -> None:
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()


_STATUS_LINES = {status.value: f"{status.value} {status.phrase}" for status in HTTPStatus}


def _status_line(status: int) -> str:
    return _STATUS_LINES.get(status) or f"{status} Unknown"


def _request_headers(environ: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    raw = getattr(wire_headers, "value", None)
    if raw is not None:
        wire_headers.value = None
        return tuple((name.lower(), value) for name, value in raw)
    # Another WSGI server: rebuild from the environ (repeated headers come folded).
    headers = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            headers.append((key[5:].replace("_", "-").lower(), value))
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers.append((key.replace("_", "-").lower(), environ[key]))
    return tuple(headers)


def _request_id(headers: dict[str, str]) -> str:
    candidate = headers.get("x-request-id", "")
    if _REQUEST_ID.match(candidate):
        return candidate
    digits = os.urandom(16).hex()  # a version 4 UUID, without uuid.UUID's overhead
    variant = "89ab"[int(digits[16], 16) % 4]
    return f"{digits[:8]}-{digits[8:12]}-4{digits[13:16]}-{variant}{digits[17:20]}-{digits[20:]}"


def _read_body(environ: dict[str, Any], limit: int) -> bytes:
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    length_header = environ.get("CONTENT_LENGTH") or ""
    if length_header.strip():
        length = int(length_header)  # the server has already rejected malformed lengths
        if length > limit:
            raise BodyTooLarge
        return bytes(stream.read(length)) if length else b""
    body = bytes(stream.read(limit + 1))  # chunked: read one byte past the limit to know
    if len(body) > limit:
        raise BodyTooLarge
    return body


def _raw_target(environ: dict[str, Any]) -> tuple[str, str]:
    """Path and query exactly as the client wrote them, not as WSGI decoded them."""
    raw_uri = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw_uri:
        if not raw_uri.startswith("/"):  # absolute-form request target
            parts = urlsplit(raw_uri)  # ValueError for "http://[::1/"
            return parts.path or "/", parts.query
        path, mark, query = raw_uri.partition("?")
        # Some servers keep the query only in QUERY_STRING.
        return path or "/", query if mark else environ.get("QUERY_STRING", "")
    path = environ.get("PATH_INFO", "/").encode("latin-1").decode("utf-8", errors="replace")
    return quote(path, safe="/:@!$&'()*+,;=-._~%"), environ.get("QUERY_STRING", "")


def _routable_path(raw_path: str, event_format: str) -> str:
    # API Gateway REST routes /items/42/ to /items/{id}; the event keeps the slash.
    if event_format == "apigw-rest" and len(raw_path) > 1 and raw_path.endswith("/"):
        return raw_path[:-1]
    return raw_path


def _source_ip(headers: dict[str, str], environ: dict[str, Any]) -> str:
    # A client can write anything in X-Forwarded-For; AWS only ever puts an address in
    # sourceIp, and Powertools' models refuse anything else.
    forwarded = headers.get("x-forwarded-for")
    if forwarded:
        candidate = forwarded.split(",")[0].strip()
        try:
            ipaddress.ip_address(candidate)
        except ValueError:
            pass
        else:
            return candidate
    return str(environ.get("REMOTE_ADDR", "127.0.0.1"))
