"""The stand-in broker takes only the stack's own events, and answers for nothing but them."""

from __future__ import annotations

import json
import time

import pytest

from functions.catalog import Function
from functions.devserver.broker import BROKER_TOKEN_HEADER, Broker
from functions.devserver.gateway import Mounted
from functions.runtime.app import RuntimeApp
from functions.runtime.config import RuntimeConfig
from tests.support.wsgi_client import WsgiClient

TOKEN = "the-stack-s-own-broker-token"
EVENT_TYPE = "dev.taskforge.task.created"


def _broker(broker_token: str | None) -> tuple[WsgiClient, list[dict]]:
    received: list[dict] = []

    def record(event, context):
        received.append(event)

    function = Function("record", "functions.tests.record.handler", events=(EVENT_TYPE,))
    app = RuntimeApp(RuntimeConfig(handler_path=function.handler, function_name="record"), record)
    return WsgiClient(Broker([Mounted(function, app, ())], broker_token)), received


def _publish(client: WsgiClient, headers: dict[str, str]):
    return client.post(
        "/__broker",
        json={"workspace_id": "w", "task_id": "t", "title": "forged"},
        headers={
            "ce-specversion": "1.0",
            "ce-id": "e1",
            "ce-type": EVENT_TYPE,
            "ce-source": "/taskforge/tasks",
            "ce-time": "2026-01-01T00:00:00Z",
            **headers,
        },
    )


def test_the_broker_delivers_an_event_that_carries_the_token():
    client, received = _broker(TOKEN)
    response = _publish(client, {BROKER_TOKEN_HEADER: TOKEN})
    assert response.status_code == 202, response.text
    assert len(received) == 1
    assert received[0]["detail"]["title"] == "forged"


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({BROKER_TOKEN_HEADER: ""}, 401),
        ({BROKER_TOKEN_HEADER: "wrong"}, 403),
        ({BROKER_TOKEN_HEADER: TOKEN[:-1]}, 403),
        ({BROKER_TOKEN_HEADER: TOKEN + "x"}, 403),
        ({BROKER_TOKEN_HEADER: TOKEN.upper()}, 403),
        ({BROKER_TOKEN_HEADER: "tökén"}, 403),
        ({"Authorization": f"Bearer {TOKEN}"}, 401),
    ],
)
def test_the_broker_refuses_an_event_without_the_token(headers, status):
    client, received = _broker(TOKEN)
    response = _publish(client, headers)
    assert response.status_code == status, response.text
    assert response.header("Content-Type") == "application/problem+json"
    assert TOKEN not in response.text
    assert received == []


def test_a_broker_started_without_a_token_takes_nothing():
    client, received = _broker(None)
    assert _publish(client, {BROKER_TOKEN_HEADER: ""}).status_code == 403
    assert _publish(client, {BROKER_TOKEN_HEADER: "None"}).status_code == 403
    assert json.loads(_publish(client, {}).content)["status"] == 403
    assert received == []


def test_the_broker_answers_its_readiness_probe_and_nothing_else():
    client, received = _broker(TOKEN)
    assert client.get("/__runtime/ready").status_code == 200
    wrong_method = client.get("/__broker")
    assert (wrong_method.status_code, wrong_method.header("Allow")) == (405, "POST")
    elsewhere = client.post("/api/tasks", json={}, headers={BROKER_TOKEN_HEADER: TOKEN})
    assert elsewhere.status_code == 404
    assert elsewhere.header("Content-Type") == "application/problem+json"
    assert received == []


def test_an_async_publisher_hears_202_at_once_and_the_events_arrive_in_order():
    client, received = _broker(TOKEN)
    ids = [f"e{index}" for index in range(5)]
    answers = [
        client.post(
            "/__broker",
            json={"n": index},
            headers={
                "ce-specversion": "1.0",
                "ce-id": event_id,
                "ce-type": EVENT_TYPE,
                "ce-source": "/taskforge/tasks",
                "Prefer": "respond-async",
                BROKER_TOKEN_HEADER: TOKEN,
            },
        )
        for index, event_id in enumerate(ids)
    ]

    assert [answer.status_code for answer in answers] == [202] * len(ids)
    deadline = time.monotonic() + 10
    while len(received) < len(ids) and time.monotonic() < deadline:
        time.sleep(0.01)  # polling interval: the deliveries follow on the broker's own thread
    assert [event["detail"]["n"] for event in received] == list(range(len(ids)))
