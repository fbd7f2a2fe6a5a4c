"""The local stack's stand-in broker takes only the relay's events: a forged one never
reaches anybody's activity feed."""

from __future__ import annotations

import uuid

import pytest

from tests.functional.api.conftest import BROKER_TOKEN
from tests.support.wsgi_client import WsgiClient


def _forge(local_broker, workspace_id: str, headers: dict[str, str]):
    event = {
        "workspace_id": workspace_id,
        "task_id": str(uuid.uuid4()),
        "title": "forged by a stranger",
        "actor_id": None,
    }
    return WsgiClient(local_broker).post(
        "/__broker",
        json=event,
        headers={
            "ce-specversion": "1.0",
            "ce-id": str(uuid.uuid4()),
            "ce-type": "dev.taskforge.task.created",
            "ce-source": "/taskforge/tasks",
            "ce-time": "2026-01-01T00:00:00Z",
            **headers,
        },
    )


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"X-TaskForge-Broker-Token": "guessed"}, 403),
        ({"X-TaskForge-Broker-Token": BROKER_TOKEN[:-2]}, 403),
    ],
)
def test_a_forged_event_is_refused_and_reaches_no_feed(local_broker, make_account, relay, headers, status):
    victim = make_account()
    workspace_id = victim.client.get("/api/workspaces").json()["items"][0]["id"]

    refused = _forge(local_broker, workspace_id, headers)

    assert refused.status_code == status, refused.text
    assert refused.header("Content-Type") == "application/problem+json"
    relay()
    assert victim.client.get("/api/activity").json()["items"] == []


def test_the_relay_s_events_still_reach_the_feed(make_account, relay):
    account = make_account()
    account.client.post("/api/tasks", json={"title": "real"})
    assert relay() == 1
    assert [item["data"]["title"] for item in account.client.get("/api/activity").json()["items"]] == ["real"]


def test_the_token_is_what_the_broker_checks(local_broker, make_account):
    # The same event with the stack's token is taken: the refusals above are the token's doing.
    victim = make_account()
    workspace_id = victim.client.get("/api/workspaces").json()["items"][0]["id"]
    assert _forge(local_broker, workspace_id, {"X-TaskForge-Broker-Token": BROKER_TOKEN}).status_code == 202
    assert [item["summary"] for item in victim.client.get("/api/activity").json()["items"]] == [
        "created “forged by a stranger” (task deleted)"  # a task id that names no task
    ]
