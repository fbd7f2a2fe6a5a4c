"""CloudEvent over HTTP (binary and structured mode) → EventBridge-shaped event.

The HTTP messages are built with the CloudEvents SDK, as Knative's senders build them.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from cloudevents.core.bindings.http import to_binary_event, to_structured_event
from cloudevents.core.v1.event import CloudEvent

from functions.runtime.cloudevents import MalformedCloudEvent, is_cloudevent, to_eventbridge

from .support import ACCOUNT_ID, REGION

TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
SENT_AT = datetime(2024, 5, 1, 8, 0, 0, tzinfo=UTC)
REMINDER = {
    "type": "com.taskforge.reminder.due",
    "source": "/taskforge/reminders",
    "id": "evt-0001",
    "subject": "task/42",
    "time": SENT_AT,
    "datacontenttype": "application/json",
    "traceparent": TRACEPARENT,
}

MODES = {"binary": to_binary_event, "structured": to_structured_event}


def message(mode: str, attributes: dict[str, Any], data: Any = None) -> tuple[dict[str, str], bytes]:
    # CloudEvent fills in missing attributes in place: hand it a copy.
    http = MODES[mode](CloudEvent(dict(attributes), data))
    return dict(http.headers), http.body


def convert(headers: dict[str, str], body: bytes) -> dict[str, Any]:
    return to_eventbridge(headers, body, REGION, ACCOUNT_ID)


@pytest.mark.parametrize("mode", MODES)
def test_json_event_becomes_an_eventbridge_event(mode: str) -> None:
    event = convert(*message(mode, REMINDER, {"task_id": 42, "title": "Buy milk"}))

    assert {key: value for key, value in event.items() if key != "cloudevent"} == {
        "version": "0",
        "id": "evt-0001",
        "detail-type": "com.taskforge.reminder.due",
        "source": "/taskforge/reminders",
        "account": ACCOUNT_ID,
        "time": "2024-05-01T08:00:00Z",
        "region": REGION,
        "resources": ["task/42"],
        "detail": {"task_id": 42, "title": "Buy milk"},
    }


@pytest.mark.parametrize("mode", MODES)
def test_powertools_event_bridge_model_parses_it_unchanged(mode: str) -> None:
    event = convert(*message(mode, REMINDER, {"task_id": 42}))

    model = parse(event=event, model=EventBridgeModel)

    assert model.id == "evt-0001"
    assert model.source == "/taskforge/reminders"
    assert model.detail_type == "com.taskforge.reminder.due"
    assert model.time == SENT_AT
    assert model.detail == {"task_id": 42}
    assert model.account == ACCOUNT_ID
    assert model.region == REGION
    assert model.resources == ["task/42"]


@pytest.mark.parametrize("mode", MODES)
def test_original_attributes_are_kept_under_cloudevent(mode: str) -> None:
    event = convert(*message(mode, REMINDER, {"task_id": 42}))

    assert event["cloudevent"] == {
        "specversion": "1.0",
        "id": "evt-0001",
        "source": "/taskforge/reminders",
        "type": "com.taskforge.reminder.due",
        "subject": "task/42",
        "time": "2024-05-01T08:00:00+00:00",
        "datacontenttype": "application/json",
        "traceparent": TRACEPARENT,
    }
    json.dumps(event)  # the whole event stays plain JSON


def test_time_with_an_offset_is_converted_to_utc() -> None:
    attributes = {**REMINDER, "time": datetime(2024, 5, 1, 10, 30, tzinfo=timezone(timedelta(hours=2)))}

    event = convert(*message("binary", attributes, {}))

    assert event["time"] == "2024-05-01T08:30:00Z"


def test_event_without_time_gets_the_current_time() -> None:
    headers = {"ce-specversion": "1.0", "ce-id": "1", "ce-source": "/s", "ce-type": "t"}
    before = datetime.now(UTC).replace(microsecond=0)

    event = convert(headers, b"")

    after = datetime.now(UTC)
    assert before <= datetime.fromisoformat(event["time"]) <= after
    assert event["detail"] == {}


@pytest.mark.parametrize("mode", MODES)
def test_knative_ping_source_becomes_a_scheduled_event(mode: str) -> None:
    attributes = {
        "type": "dev.knative.sources.ping",
        "source": "/apis/v1/namespaces/taskforge/pingsources/send-reminders",
        "id": "4a4a0b52-1c1e-4d6d-9d8e-7f2c7a3b2a10",
        "time": SENT_AT,
        "datacontenttype": "application/json",
    }

    event = convert(*message(mode, attributes, {"job": "reminders"}))

    model = parse(event=event, model=EventBridgeModel)
    assert model.detail_type == "Scheduled Event"
    assert model.source == "aws.events"
    assert model.resources == ["/apis/v1/namespaces/taskforge/pingsources/send-reminders"]
    assert model.detail == {"job": "reminders"}
    assert event["cloudevent"]["type"] == "dev.knative.sources.ping"


@pytest.mark.parametrize("mode", MODES)
def test_text_data_lands_in_detail_as_data(mode: str) -> None:
    attributes = {**REMINDER, "datacontenttype": "text/plain"}

    event = convert(*message(mode, attributes, "remind me at 9"))

    assert event["detail"] == {"data": "remind me at 9"}


@pytest.mark.parametrize("mode", MODES)
def test_binary_data_lands_in_detail_as_data_base64(mode: str) -> None:
    payload = b"\x00\xff\xfe\x10 not UTF-8"
    attributes = {**REMINDER, "datacontenttype": "application/octet-stream"}

    event = convert(*message(mode, attributes, payload))

    assert base64.b64decode(event["detail"]["data_base64"]) == payload
    assert parse(event=event, model=EventBridgeModel).detail == event["detail"]


@pytest.mark.parametrize(("body", "detail"), [(b"[1, 2]", {"data": [1, 2]}), (b'"due"', {"data": "due"})])
def test_json_data_that_is_not_an_object_is_wrapped(body: bytes, detail: dict[str, Any]) -> None:
    headers, _ = message("binary", REMINDER, {})

    event = convert(headers, body)

    assert event["detail"] == detail
    assert parse(event=event, model=EventBridgeModel).detail == detail


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("missing", ["id", "source", "type", "specversion"])
def test_event_missing_a_required_attribute_is_malformed(mode: str, missing: str) -> None:
    headers, body = message(mode, REMINDER, {"task_id": 42})
    if mode == "binary":
        del headers[f"ce-{missing}"]
    else:
        envelope = json.loads(body)
        del envelope[missing]
        body = json.dumps(envelope).encode()

    with pytest.raises(MalformedCloudEvent):
        convert(headers, body)


def test_binary_body_declared_json_that_is_not_json_is_malformed() -> None:
    headers, _ = message("binary", REMINDER, {"task_id": 42})

    with pytest.raises(MalformedCloudEvent, match="JSON"):
        convert(headers, b'{"task_id": 42')


def test_structured_body_that_is_not_json_is_malformed() -> None:
    with pytest.raises(MalformedCloudEvent):
        convert({"content-type": "application/cloudevents+json"}, b"<event/>")


def test_batch_mode_is_malformed() -> None:
    _, body = message("structured", REMINDER, {"task_id": 42})

    with pytest.raises(MalformedCloudEvent, match="batch"):
        convert({"content-type": "application/cloudevents-batch+json"}, b"[" + body + b"]")


@pytest.mark.parametrize(
    ("header", "value"),
    [("ce-specversion", "0.2"), ("ce-time", "yesterday"), ("ce-subject", "")],
)
def test_invalid_attribute_value_is_malformed(header: str, value: str) -> None:
    headers, body = message("binary", REMINDER, {"task_id": 42})
    headers[header] = value

    with pytest.raises(MalformedCloudEvent):
        convert(headers, body)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"ce-specversion": "1.0"}, True),
        ({"content-type": "application/cloudevents+json"}, True),
        ({"content-type": "application/cloudevents+json; charset=utf-8"}, True),
        ({"content-type": "application/json"}, False),
        ({"ce-id": "1", "ce-type": "t", "ce-source": "/s"}, False),
        ({}, False),
    ],
)
def test_is_cloudevent(headers: dict[str, str], expected: bool) -> None:
    assert is_cloudevent(headers) is expected
