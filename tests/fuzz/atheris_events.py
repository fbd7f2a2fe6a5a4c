"""Coverage-guided fuzz of the runtime's event building, in process (atheris, i.e. libFuzzer).

Not part of pytest: run it standalone, e.g.

    mkdir -p /tmp/fuzz-corpus
    .venv/bin/python tests/fuzz/atheris_events.py -max_total_time=600 /tmp/fuzz-corpus tests/fuzz/atheris_seeds

(any libFuzzer flag works; new inputs go to the first directory, so a run picks up
where the last one stopped; the seeds are valid requests and CloudEvents to start from).

An input is a request in a text form mutations keep close to HTTP (see `_parse`), for
one of two cases:
- "E" first: CloudEvent headers and body straight into `cloudevents.to_eventbridge`;
- else two bytes choosing the event format, the framing and the method, then a WSGI
  request (raw target, header list as the server hands it over, body, with or without
  Content-Length) for RuntimeApp, with a handler that holds the event to the
  contract (tests/fuzz/handlers/fuzz_handlers.py).
A crash is: the application raising, any 5xx (the handler here never raises on
purpose, so a 502 or 500 means the event broke the contract), or to_eventbridge
raising anything but MalformedCloudEvent or returning an event EventBridgeModel refuses.
"""

from __future__ import annotations

import io
import json
import logging
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

with atheris.instrument_imports(include=["functions.runtime", "cloudevents"]):
    import cloudevents.core.bindings.http  # noqa: F401  (to_eventbridge imports it lazily: instrument it now)

    from functions.runtime import app as app_module
    from functions.runtime.app import RuntimeApp
    from functions.runtime.cloudevents import MalformedCloudEvent, to_eventbridge
    from functions.runtime.config import RuntimeConfig
    from functions.runtime.routes import parse_routes

from tests.fuzz.handlers.fuzz_handlers import ContractBreach, check_eventbridge_event, check_http_event

ROUTES = parse_routes("GET /items/{item_id}, POST /items, ANY /files/{path+}")
FORMATS = {  # name: (event format, multi-value headers, routes)
    "alb": ("alb", False, ()),
    "alb-multi-value": ("alb", True, ()),
    "apigw-rest": ("apigw-rest", False, ROUTES),
    "apigw-http": ("apigw-http", False, ROUTES),
}
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "CONNECT", "TRACE", "FOO"]
MAX_BODY = 4096


class Breach(Exception):
    """What the fuzzer reports as a crash."""


# Why the handler refused the last event (the runtime turns its exception into a 5xx).
REFUSALS: list[str] = []


def _handler(event_format: str, multi_value: bool) -> Any:
    def handler(event: dict[str, Any], context: Any) -> Any:
        try:
            json.dumps(event)
            if "detail-type" in event:
                check_eventbridge_event(event)
                return None
            check_http_event(event, event_format, multi_value)
        except (ContractBreach, TypeError, ValueError) as exc:
            REFUSALS.append(f"{type(exc).__name__}: {exc}")
            raise
        return {"statusCode": 200, "body": "ok"}

    return handler


APPS = {
    name: RuntimeApp(
        RuntimeConfig(
            handler_path="fuzz.handler",
            event_format=event_format,
            alb_multi_value_headers=multi_value,
            routes=routes,
            max_body_bytes=MAX_BODY,
        ),
        _handler(event_format, multi_value),
    )
    for name, (event_format, multi_value, routes) in FORMATS.items()
}


def _parse(data: bytes) -> tuple[str, list[tuple[str, str]], bytes]:
    """`target LF (name: value LF)* LF body`: a text form mutations keep close to HTTP."""
    head, _, body = data.partition(b"\n\n")
    target, *lines = head.decode("latin-1").split("\n")  # the server hands over latin-1 strings
    headers = []
    for line in lines:
        name, _, value = line.partition(":")
        headers.append((name, value.removeprefix(" ")))
    return target, headers, body


def one_request(data: bytes) -> None:
    """data[0]: event format and framing; data[1]: method; then the request in text form."""
    name = list(APPS)[data[0] % len(APPS)]
    method = METHODS[data[1] % len(METHODS)]
    target, headers, body = _parse(data[2:])
    raw_path, _, query = target.partition("?")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "RAW_URI": target,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": unquote(raw_path, encoding="latin-1"),
        "REMOTE_ADDR": "10.1.2.3",
        "wsgi.input": io.BytesIO(body),
    }
    for header, value in headers:
        if header.lower() == "content-type":
            environ["CONTENT_TYPE"] = value
    if data[0] & 0x80 == 0:  # else as a chunked request: no length
        environ["CONTENT_LENGTH"] = str(len(body))
    app_module.wire_headers.value = headers
    REFUSALS.clear()
    captured: list[str] = []
    answer = b"".join(APPS[name](environ, lambda status, response_headers, exc_info=None: captured.append(status)))
    status = int(captured[0].split()[0])
    if status >= 500:
        raise Breach(f"{name} answered {captured[0]}: {answer[:500]!r} {REFUSALS}")


def one_cloudevent(data: bytes) -> None:
    _, header_list, body = _parse(data)
    headers = {name.lower(): value for name, value in header_list}
    try:
        event = to_eventbridge(headers, body, "eu-west-1", "123456789012")
    except MalformedCloudEvent:
        return
    try:
        json.dumps(event)
        check_eventbridge_event(event)
    except (ContractBreach, TypeError, ValueError) as exc:
        raise Breach(f"{type(exc).__name__}: {exc}") from exc


def test_one_input(data: bytes) -> None:
    """data[0] == "E": straight into to_eventbridge; else a request for RuntimeApp."""
    if data[:1] == b"E":
        one_cloudevent(data[1:])
    elif len(data) >= 2:
        one_request(data)


def main() -> None:
    logging.getLogger("functions.runtime").setLevel(logging.CRITICAL)  # 502s are judged, not logged
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
