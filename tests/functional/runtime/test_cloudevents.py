"""CloudEvents (binary and structured mode) → EventBridge events, with Knative's status contract.

The handler parses each event with Powertools' EventBridgeModel and appends what it
got to a file, so the tests see exactly what reached it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from cloudevents.core.bindings.http import HTTPMessage, to_binary_event, to_structured_event
from cloudevents.core.v1.event import CloudEvent

from tests.support.processes import Server

from .helpers import runtime, wait_for

TRACE_PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
PING_SOURCE = "/apis/v1/namespaces/taskforge/pingsources/reminder-tick"


class EventFunction:
    def __init__(self, server: Server, events_log: Path) -> None:
        self.server = server
        self.events_log = events_log

    def send(self, message: HTTPMessage, extra_headers: dict[str, str] | None = None) -> requests.Response:
        return requests.post(
            f"{self.server.base_url}/",
            headers={**message.headers, **(extra_headers or {})},
            data=message.body,
            timeout=30,
        )

    def received(self) -> list[dict[str, Any]]:
        if not self.events_log.exists():
            return []
        return [json.loads(line) for line in self.events_log.read_text().splitlines()]

    def received_with(self, **fields: Any) -> list[dict[str, Any]]:
        return [seen for seen in self.received() if all(seen.get(k) == v for k, v in fields.items())]


@pytest.fixture(scope="module")
def function(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EventFunction]:
    events_log = tmp_path_factory.mktemp("events") / "events.jsonl"
    env = {
        "HANDLER": "event_handlers.record",
        "EVENTS_LOG": str(events_log),
        "AWS_REGION": "eu-west-1",
        "AWS_ACCOUNT_ID": "123456789012",
    }
    with runtime(tmp_path_factory, "cloudevents", env) as server:
        yield EventFunction(server, events_log)


@pytest.fixture(scope="module")
def routed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {"HANDLER": "echo_handlers.handler", "EVENT_FORMAT": "apigw-http", "ROUTES": "POST /hooks"}
    with runtime(tmp_path_factory, "cloudevents-routed", env) as server:
        yield server


def task_due(**attributes: Any) -> CloudEvent:
    return CloudEvent(
        attributes={
            "id": f"evt-{uuid.uuid4()}",
            "type": "com.taskforge.task.due",
            "source": "/taskforge/tasks",
            "subject": "task-17",
            "datacontenttype": "application/json",
            "time": datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
            **attributes,
        },
        data={"task_id": 17, "title": "Écrire le rapport"},
    )


def assert_problem(response: requests.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == status


@pytest.mark.parametrize("encode", [to_binary_event, to_structured_event], ids=["binary", "structured"])
def test_event_reaches_the_handler_as_eventbridge(function: EventFunction, encode: Any) -> None:
    event = task_due()
    response = function.send(encode(event))
    assert response.status_code == 204, response.text
    assert response.content == b""
    [seen] = function.received_with(id=event.get_id())
    assert seen["detail_type"] == "com.taskforge.task.due"
    assert seen["source"] == "/taskforge/tasks"
    assert seen["resources"] == ["task-17"]
    assert seen["detail"] == {"task_id": 17, "title": "Écrire le rapport"}
    assert seen["account"] == "123456789012"
    assert seen["region"] == "eu-west-1"
    assert seen["time"] == "2026-03-01T09:30:00+00:00"
    assert seen["cloudevent"]["specversion"] == "1.0"
    assert seen["cloudevent"]["type"] == "com.taskforge.task.due"


def test_ping_source_tick_is_a_scheduled_event(function: EventFunction) -> None:
    event = CloudEvent(
        attributes={"type": "dev.knative.sources.ping", "source": PING_SOURCE, "datacontenttype": "application/json"},
        data={"schedule": "reminders"},
    )
    response = function.send(to_binary_event(event))
    assert response.status_code == 204, response.text
    [seen] = function.received_with(id=event.get_id())
    assert seen["detail_type"] == "Scheduled Event"
    assert seen["source"] == "aws.events"
    assert seen["resources"] == [PING_SOURCE]
    assert seen["detail"] == {"schedule": "reminders"}


@pytest.mark.parametrize("attribute", ["id", "source", "type"])
def test_binary_event_missing_a_required_attribute_is_400_and_not_delivered(
    function: EventFunction, attribute: str
) -> None:
    marker = f"/taskforge/missing-{attribute}/{uuid.uuid4().hex}"
    message = to_binary_event(task_due(subject=marker))
    headers = {name: value for name, value in message.headers.items() if name.lower() != f"ce-{attribute}"}
    assert_problem(function.send(HTTPMessage(headers=headers, body=message.body)), 400)
    assert [seen for seen in function.received() if seen["resources"] == [marker]] == []


@pytest.mark.parametrize("attribute", ["id", "source", "type", "specversion"])
def test_structured_event_missing_a_required_attribute_is_400_and_not_delivered(
    function: EventFunction, attribute: str
) -> None:
    marker = f"/taskforge/missing-{attribute}/{uuid.uuid4().hex}"
    message = to_structured_event(task_due(subject=marker))
    document = json.loads(message.body)
    del document[attribute]
    body = json.dumps(document).encode()
    assert_problem(function.send(HTTPMessage(headers=message.headers, body=body)), 400)
    assert [seen for seen in function.received() if seen["resources"] == [marker]] == []


def test_invalid_json_data_declared_json_is_400_and_not_delivered(function: EventFunction) -> None:
    event = task_due()
    message = to_binary_event(event)
    assert message.headers["content-type"] == "application/json"
    assert_problem(function.send(HTTPMessage(headers=message.headers, body=b'{"task_id": 17,')), 400)
    assert function.received_with(id=event.get_id()) == []


def test_batched_events_are_refused_with_400(function: EventFunction) -> None:
    message = to_structured_event(task_due())
    batch = HTTPMessage(headers={"content-type": "application/cloudevents-batch+json"}, body=b"[" + message.body + b"]")
    assert_problem(function.send(batch), 400)


@pytest.mark.parametrize("encode", [to_binary_event, to_structured_event], ids=["binary", "structured"])
def test_handler_that_raises_is_500_so_knative_retries(function: EventFunction, encode: Any) -> None:
    event = CloudEvent(
        attributes={
            "type": "com.taskforge.task.due",
            "source": "/taskforge/tasks",
            "datacontenttype": "application/json",
        },
        data={"fail": True},
    )
    assert_problem(function.send(encode(event)), 500)
    assert len(function.received_with(id=event.get_id())) == 1  # it ran, then raised
    ok = task_due()
    assert function.send(encode(ok)).status_code == 204


def test_log_of_a_failed_event_names_its_id(function: EventFunction) -> None:
    event = CloudEvent(
        attributes={
            "type": "com.taskforge.task.due",
            "source": "/taskforge/tasks",
            "datacontenttype": "application/json",
        },
        data={"fail": True},
    )
    assert_problem(function.send(to_binary_event(event)), 500)
    assert wait_for(lambda: event.get_id() in function.server.log(), timeout=1), function.server.log()


def test_event_id_is_the_request_id_and_traceparent_is_passed(function: EventFunction) -> None:
    event = task_due()
    response = function.send(to_binary_event(event), {"traceparent": TRACE_PARENT, "X-Request-Id": "not-the-event-id"})
    assert response.status_code == 204
    [seen] = function.received_with(id=event.get_id())
    assert seen["aws_request_id"] == event.get_id()
    assert seen["trace_parent"] == TRACE_PARENT


def test_traceparent_extension_of_a_structured_event_is_passed(function: EventFunction) -> None:
    event = task_due(traceparent=TRACE_PARENT)
    assert function.send(to_structured_event(event)).status_code == 204
    [seen] = function.received_with(id=event.get_id())
    assert seen["trace_parent"] == TRACE_PARENT


@pytest.mark.parametrize("encode", [to_binary_event, to_structured_event], ids=["binary", "structured"])
def test_function_with_routes_treats_cloudevents_as_http(routed: Server, encode: Any) -> None:
    event = task_due()
    message = encode(event)
    response = requests.post(f"{routed.base_url}/hooks", headers=message.headers, data=message.body, timeout=30)
    assert response.status_code == 200, response.text
    received = response.json()
    assert "detail-type" not in received
    assert received["routeKey"] == "POST /hooks"
    assert received["rawPath"] == "/hooks"
    assert json.loads(received["body"]) == json.loads(message.body)
    for name, value in message.headers.items():
        assert received["headers"][name.lower()] == value


def test_function_with_routes_answers_unrouted_cloudevent_with_404(routed: Server) -> None:
    message = to_binary_event(task_due())
    response = requests.post(f"{routed.base_url}/", headers=message.headers, data=message.body, timeout=30)
    assert_problem(response, 404)
