"""Hostile input the fuzz (tests/fuzz) found the runtime mishandling, each pinned down here.

Under Knative's delivery contract a 5xx means "redeliver", so a CloudEvent the runtime
cannot convert must be refused as malformed (400), never fail as a server error. And
what a client writes must never give a handler an event no AWS front door would send.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel

from functions.runtime.app import RuntimeApp
from functions.runtime.cloudevents import MalformedCloudEvent, to_eventbridge
from functions.runtime.config import RuntimeConfig
from functions.runtime.routes import parse_routes

from .support import ACCOUNT_ID, REGION, call_wsgi, make_environ

BINARY = {
    "ce-specversion": "1.0",
    "ce-id": "evt-1",
    "ce-source": "/fuzz",
    "ce-type": "fuzz.happened",
    "content-type": "application/json",
}
STRUCTURED = {"content-type": "application/cloudevents+json"}
ENVELOPE = {"specversion": "1.0", "id": "evt-1", "source": "/fuzz", "type": "fuzz.happened"}
TOO_DEEP = b"[" * 5000 + b"]" * 5000


def convert(headers: dict[str, str], body: bytes) -> dict[str, Any]:
    return to_eventbridge(headers, body, REGION, ACCOUNT_ID)


def structured(**fields: Any) -> bytes:
    return json.dumps({**ENVELOPE, **fields}).encode()


@pytest.mark.parametrize("time", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_time_outside_years_1_to_9999_in_utc_is_malformed(time: str) -> None:
    # Was OverflowError from astimezone: gunicorn's 500, redelivered for ever.
    with pytest.raises(MalformedCloudEvent, match="outside years 1-9999"):
        convert({**BINARY, "ce-time": time}, b"{}")
    with pytest.raises(MalformedCloudEvent, match="outside years 1-9999"):
        convert(STRUCTURED, structured(time=time))


@pytest.mark.parametrize(
    ("time", "expected"),
    [("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z"), ("0999-06-01T12:00:00+02:00", "0999-06-01T10:00:00Z")],
)
def test_time_before_year_1000_keeps_four_digits_and_parses(time: str, expected: str) -> None:
    # Was "1-01-01T00:00:00Z" (strftime's %Y), which EventBridgeModel refuses: the handler failed.
    event = convert({**BINARY, "ce-time": time}, b"{}")

    assert event["time"] == expected
    assert parse(event=event, model=EventBridgeModel).time.isoformat().startswith(expected[:10])


def test_binary_data_declared_json_nested_too_deeply_is_malformed() -> None:
    # Was RecursionError from json.loads.
    with pytest.raises(MalformedCloudEvent, match="nested too deeply"):
        convert(BINARY, TOO_DEEP)


def test_structured_body_nested_too_deeply_is_malformed() -> None:
    with pytest.raises(MalformedCloudEvent, match="nested too deeply"):
        convert(STRUCTURED, structured()[:-1] + b', "data": ' + TOO_DEEP + b"}")


def test_binary_data_not_declared_json_may_nest_at_will() -> None:
    event = convert({**BINARY, "content-type": "text/plain"}, TOO_DEEP)

    assert event["detail"] == {"data": TOO_DEEP.decode()}


@pytest.mark.parametrize("encoded", ["!!!", "AAA", "aGVsbG8=\n", 42, []])
def test_data_base64_that_is_not_base64_is_malformed(encoded: Any) -> None:
    # Was accepted: the SDK decodes "!!!" to no data at all, and the event lost its payload.
    with pytest.raises(MalformedCloudEvent, match="data_base64"):
        convert(STRUCTURED, structured(data_base64=encoded))


def test_data_base64_that_is_base64_still_converts() -> None:
    event = convert(STRUCTURED, structured(data_base64="AP8="))

    assert event["detail"] == {"data_base64": "AP8="}


def test_data_base64_null_is_absent() -> None:
    # The JSON format: an attribute whose value is null is absent.
    assert convert(STRUCTURED, structured(data_base64=None))["detail"] == {}


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        ({**BINARY, "ce-time": "0001-01-01T00:00:00+14:00"}, b"{}"),
        (BINARY, TOO_DEEP),
        (STRUCTURED, TOO_DEEP),
    ],
)
def test_runtime_answers_400_problem_not_a_server_error(headers: dict[str, str], body: bytes) -> None:
    calls: list[Any] = []
    app = RuntimeApp(RuntimeConfig(handler_path="fuzz.handler"), lambda event, context: calls.append(event))

    response = call_wsgi(app, make_environ("POST", "/", headers=headers, body=body))

    assert response.status == 400
    assert response.header("Content-Type") == "application/problem+json"
    assert calls == []


@pytest.mark.parametrize(
    "forwarded", ["not-an-ip", "unknown", " , 198.51.100.4", "198.51.100.4:443", "[::1]", "x" * 64]
)
@pytest.mark.parametrize("event_format", ["apigw-rest", "apigw-http"])
def test_x_forwarded_for_that_is_not_an_address_is_not_the_source_ip(event_format: str, forwarded: str) -> None:
    # Was copied into sourceIp as written: Powertools' models refused the event, the handler failed.
    events: list[dict[str, Any]] = []
    config = RuntimeConfig(handler_path="fuzz.handler", event_format=event_format, routes=parse_routes("GET /items"))
    app = RuntimeApp(config, lambda event, context: events.append(event) or {"statusCode": 204})

    call_wsgi(app, make_environ("GET", "/items", headers={"Host": "h", "X-Forwarded-For": forwarded}))

    [event] = events
    source_ip = (
        event["requestContext"]["http"] if event_format == "apigw-http" else event["requestContext"]["identity"]
    )["sourceIp"]
    assert source_ip == "10.1.2.3"  # the peer's address (support.make_environ's REMOTE_ADDR)


@pytest.mark.parametrize("forwarded", ["198.51.100.4", "2001:db8::7, 10.0.0.1", " 203.0.113.9 ,10.0.0.1"])
def test_x_forwarded_for_address_is_still_the_source_ip(forwarded: str) -> None:
    events: list[dict[str, Any]] = []
    config = RuntimeConfig(handler_path="fuzz.handler", event_format="apigw-http")
    app = RuntimeApp(config, lambda event, context: events.append(event) or {"statusCode": 204})

    call_wsgi(app, make_environ("GET", "/", headers={"X-Forwarded-For": forwarded}))

    assert events[0]["requestContext"]["http"]["sourceIp"] == forwarded.split(",")[0].strip()


@pytest.mark.parametrize("target", ["http://[::1/items", "http://[fuzz/", "https://x]/"])
def test_absolute_target_that_does_not_parse_is_400_not_an_exception(target: str) -> None:
    # Found by tests/fuzz/atheris_events.py: urlsplit's ValueError escaped the application.
    # gunicorn refuses such a target itself; another WSGI server may hand it over.
    calls: list[Any] = []
    app = RuntimeApp(RuntimeConfig(handler_path="fuzz.handler"), lambda event, context: calls.append(event))
    environ = make_environ("GET", "/", headers={"Host": "h"})
    environ["RAW_URI"] = target

    response = call_wsgi(app, environ)

    assert response.status == 400
    assert response.header("Content-Type") == "application/problem+json"
    assert calls == []
