"""Dead letters: what the broker gives up on is stored once, through the function's runtime,
and counted in the metric an alarm watches; the local broker sends its failures there too."""

from __future__ import annotations

import json
import uuid
from typing import Any

import psycopg
import pytest

from tests.functional.api.conftest import BROKER_TOKEN
from tests.support.wsgi_client import WsgiClient, WsgiResponse


@pytest.fixture
def dead_letter_function(api_database: str) -> WsgiClient:
    from functions.catalog import by_name
    from functions.devserver.gateway import mount

    return WsgiClient(mount(by_name("record-dead-letter")).app)


def _deliver(function: WsgiClient, event_id: str, **headers: str) -> WsgiResponse:
    return function.post(
        "/",
        json={"task_id": "t-1", "title": "lost \u0000 on the way"},
        headers={
            "ce-specversion": "1.0",
            "ce-id": event_id,
            "ce-type": "dev.taskforge.task.created",
            "ce-source": "/taskforge/tasks",
            "ce-subject": "t-1",
            "ce-time": "2026-03-01T12:00:00.250000Z",
            "ce-knativeerrordest": "http://record-activity.taskforge.svc.cluster.local",
            "ce-knativeerrorcode": "500",
            **headers,
        },
    )


def _stored(api_database: str, event_id: str) -> list[dict[str, Any]]:
    with psycopg.connect(api_database, autocommit=True, row_factory=psycopg.rows.dict_row) as conn:
        return conn.execute("SELECT * FROM dead_letters WHERE event_id = %s", (event_id,)).fetchall()


def _metrics(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if '"DeadLetters"' in line]


def test_a_dead_letter_is_stored_once_however_often_it_is_delivered(dead_letter_function, api_database, capsys):
    event_id = str(uuid.uuid4())

    first, again = _deliver(dead_letter_function, event_id), _deliver(dead_letter_function, event_id)

    assert (first.status_code, again.status_code) == (204, 204)
    (row,) = _stored(api_database, event_id)
    assert (row["type"], row["source"], row["subject"]) == ("dev.taskforge.task.created", "/taskforge/tasks", "t-1")
    assert row["time"].isoformat() == "2026-03-01T12:00:00.250000+00:00"
    assert row["data"] == {"task_id": "t-1", "title": "lost \ufffd on the way"}  # jsonb holds no NUL
    assert row["attributes"]["knativeerrorcode"] == "500"
    assert row["received_at"] is not None
    metrics = _metrics(capsys.readouterr().out)
    assert [(metric["operation"], metric["DeadLetters"]) for metric in metrics] == [("record-dead-letter", [1.0])]
    assert metrics[0]["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "TaskForge"


@pytest.mark.parametrize("missing", ["ce-id", "ce-source", "ce-type"])
def test_a_malformed_dead_letter_is_a_400_and_stores_nothing(dead_letter_function, api_database, capsys, missing):
    event_id = str(uuid.uuid4())
    headers = {
        "ce-specversion": "1.0",
        "ce-id": event_id,
        "ce-type": "dev.taskforge.task.created",
        "ce-source": "/taskforge/tasks",
    }
    del headers[missing]

    refused = dead_letter_function.post("/", json={"a": 1}, headers=headers)

    assert refused.status_code == 400, refused.text
    assert refused.header("Content-Type") == "application/problem+json"
    assert _stored(api_database, event_id) == []
    assert _metrics(capsys.readouterr().out) == []


def test_the_local_broker_sends_an_event_no_trigger_took_to_the_dead_letters(
    gateway, local_broker, api_database, monkeypatch
):
    def fail(event: dict[str, Any], context: Any) -> None:
        raise RuntimeError("the activity table is gone")

    record_activity = next(item for item in gateway.mounted if item.function.name == "record-activity")
    monkeypatch.setattr(record_activity.app, "handler", fail)  # as an outage of its table would
    event_id = str(uuid.uuid4())

    answer = WsgiClient(local_broker).post(
        "/__broker",
        json={"workspace_id": str(uuid.uuid4()), "task_id": "t-2"},
        headers={
            "ce-specversion": "1.0",
            "ce-id": event_id,
            "ce-type": "dev.taskforge.task.updated",
            "ce-source": "/taskforge/tasks",
            "X-TaskForge-Broker-Token": BROKER_TOKEN,
        },
    )

    assert answer.status_code == 502  # the publisher still hears that delivery failed
    (row,) = _stored(api_database, event_id)
    assert row["attributes"]["knativeerrordest"] == "record-activity"
    assert row["attributes"]["knativeerrorcode"] == "500"
