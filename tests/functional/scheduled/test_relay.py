"""The outbox relay sets aside an event the broker will never take and goes on with the rest;
an unavailable broker sets nothing aside and loses nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest

from functions.activity import relay_outbox
from functions.domain.activity import publishing
from tests.support import brokers


def _titles(api) -> list[str]:
    return sorted(item["data"]["title"] for item in api.get("/api/activity", params={"limit": 100}).json()["items"])


def _event(database_url: str, title: str) -> dict[str, Any]:
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT id, event_id::text, attempts, quarantined_at, last_error, published_at FROM outbox"
            " WHERE data->>'title' = %s",
            (title,),
        ).fetchone()
    assert row is not None
    return dict(zip(("id", "event_id", "attempts", "quarantined_at", "last_error", "published_at"), row, strict=True))


def test_an_event_that_cannot_be_sent_is_quarantined_and_the_rest_reach_the_feed(
    make_account, relay, api_database, capsys
):
    api = make_account().client
    workspace_id = api.get("/api/workspaces").json()["items"][0]["id"]
    api.post("/api/tasks", json={"title": "before"})
    with psycopg.connect(api_database, autocommit=True) as conn:  # an event whose data is no object
        conn.execute(
            "INSERT INTO outbox (type, workspace_id, data) VALUES ('dev.taskforge.task.created', %s, '[\"poisoned\"]')",
            (workspace_id,),
        )
        poisoned = conn.execute("SELECT max(id) FROM outbox").fetchone()[0]
    api.post("/api/tasks", json={"title": "after"})

    relay()

    assert _titles(api) == ["after", "before"]
    with psycopg.connect(api_database) as conn:
        quarantined_at, error = conn.execute(
            "SELECT quarantined_at, last_error FROM outbox WHERE id = %s", (poisoned,)
        ).fetchone()
    assert quarantined_at is not None
    assert error.startswith("TypeError")
    metrics = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"Quarantined"' in line]
    assert [metric["operation"] for metric in metrics] == ["relay-outbox"]


def test_an_event_the_broker_refuses_is_quarantined_and_the_rest_go_on(
    make_account, relay, broker_answers, api_database
):
    api = make_account().client
    broker_answers["refused"] = 400
    for title in ("one", "refused", "three"):
        api.post("/api/tasks", json={"title": title})

    relay()

    assert _titles(api) == ["one", "three"]
    refused = _event(api_database, "refused")
    assert refused["quarantined_at"] is not None
    assert "400" in refused["last_error"]


def test_an_event_the_broker_keeps_failing_on_is_retried_then_set_aside(
    make_account, relay, broker_answers, api_database
):
    api = make_account().client
    broker_answers["flaky"] = 500
    for title in ("flaky", "after"):
        api.post("/api/tasks", json={"title": title})

    relay()
    # In order: the events behind it wait while it is retried.
    assert _titles(api) == []
    assert 1 <= _event(api_database, "flaky")["attempts"] < relay_outbox.MAX_ATTEMPTS
    for _ in range(relay_outbox.MAX_ATTEMPTS):
        relay()

    assert _titles(api) == ["after"]
    flaky = _event(api_database, "flaky")
    assert flaky["quarantined_at"] is not None
    assert "500" in flaky["last_error"]


@pytest.mark.parametrize("status", [None, 503, 429])
def test_an_unavailable_broker_sets_nothing_aside_however_long_it_lasts(
    make_account, relay, broker_answers, api_database, status
):
    api = make_account().client
    for title in ("first", "second"):
        api.post("/api/tasks", json={"title": title})

    for _ in range(relay_outbox.MAX_ATTEMPTS + 1):
        if status is None:
            relay(fail_first=1)  # no connection at all
        else:
            broker_answers["first"] = status
            relay()
    assert _titles(api) == []
    first = _event(api_database, "first")
    assert first["quarantined_at"] is None
    assert first["attempts"] == 0

    broker_answers.clear()  # the broker is back
    relay()
    assert _titles(api) == ["first", "second"]


@pytest.fixture
def hang_up_after() -> set[str]:
    return set()


@pytest.fixture
def recording_broker(hang_up_after):
    with brokers.recording_broker(hang_up_after) as broker:
        yield broker


def _an_event(event_id: str) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "type": "dev.taskforge.task.created",
        "task_id": None,
        "actor_id": None,
        "data": {"title": "t"},
        "created_at": datetime.now(UTC),
    }


@pytest.mark.parametrize("token", ["s3cret-token", None])
def test_the_broker_token_goes_with_every_event_when_set(monkeypatch, recording_broker, token):
    url, received = recording_broker
    monkeypatch.setattr(
        relay_outbox,
        "settings",
        relay_outbox.settings.model_copy(update={"broker_url": url, "broker_token": token}),
    )

    relay_outbox.publish(_an_event("e1"))

    [(headers, _)] = received
    assert headers.get("X-TaskForge-Broker-Token") == token
    assert headers["ce-id"] == "e1"


def test_events_go_over_one_kept_connection_and_a_closed_one_is_replaced(recording_broker, hang_up_after):
    url, received = recording_broker
    hang_up_after.add("e2")  # as a server closes a connection it finds idle
    for number in range(5):
        publishing.send(url, None, _an_event(f"e{number}"), timeout=5)

    # Each event once, in order; e0-e2 on one connection, e3 and e4 on the next.
    assert [headers["ce-id"] for headers, _ in received] == ["e0", "e1", "e2", "e3", "e4"]
    peers = [peer for _, peer in received]
    assert peers[0] == peers[1] == peers[2] != peers[3] == peers[4]
