"""Events: outbox → relay → broker → activity feed, with the broker failing on the way."""

from __future__ import annotations

from collections import Counter


def test_changes_appear_in_the_feed_newest_first(make_account, relay):
    api = make_account().client
    task = api.post("/api/tasks", json={"title": "Paint the fence"}).json()
    api.patch(f"/api/tasks/{task['id']}", json={"priority": 1})
    api.patch(f"/api/tasks/{task['id']}", json={"completed": True})
    relay()

    feed = api.get("/api/activity").json()
    assert [item["type"].rsplit(".", 1)[-1] for item in feed["items"]] == ["completed", "updated", "created"]
    assert feed["items"][0]["summary"] == "completed “Paint the fence”"
    per_task = api.get(f"/api/tasks/{task['id']}/activity").json()["items"]
    assert [item["id"] for item in per_task] == [item["id"] for item in feed["items"]]


def test_a_broker_outage_delays_events_and_loses_none(make_account, relay):
    api = make_account().client
    for index in range(5):
        api.post("/api/tasks", json={"title": f"task {index}"})
    relay(fail_first=1)  # the first publish fails: the run stops, everything stays in the outbox
    assert api.get("/api/activity").json()["items"] == []
    relay()  # the broker is back
    items = api.get("/api/activity", params={"limit": 100}).json()["items"]
    assert Counter(item["data"]["title"] for item in items) == Counter(f"task {i}" for i in range(5))


def test_redelivering_an_event_does_not_duplicate_it(make_account, relay, api_database):
    import psycopg

    api = make_account().client
    api.post("/api/tasks", json={"title": "once"})
    relay()
    with psycopg.connect(api_database, autocommit=True) as conn:
        conn.execute("UPDATE outbox SET published_at = NULL WHERE data->>'title' = 'once'")
    relay()
    assert len(api.get("/api/activity").json()["items"]) == 1


def test_the_feed_pages_and_respects_membership(make_account, relay):
    owner, stranger = make_account(), make_account()
    for index in range(7):
        owner.client.post("/api/tasks", json={"title": f"t{index}"})
    relay()
    first = owner.client.get("/api/activity", params={"limit": 5}).json()
    second = owner.client.get("/api/activity", params={"limit": 5, "cursor": first["next_cursor"]}).json()
    assert len(first["items"]) == 5
    assert len(second["items"]) == 2
    assert second["next_cursor"] is None
    workspace_id = owner.client.get("/api/workspaces").json()["items"][0]["id"]
    assert stranger.client.get("/api/activity", params={"workspace_id": workspace_id}).status_code == 404
    assert owner.client.get("/api/activity", params={"cursor": "%%%"}).status_code == 400


def test_every_event_has_a_trigger_and_a_wording():
    from functions.catalog import EVENT_KINDS, EVENT_TYPES, by_name
    from functions.domain.activity.activity import SUMMARIES

    assert set(by_name("record-activity").events) == set(EVENT_TYPES)
    assert len(EVENT_TYPES) == len(set(EVENT_TYPES)) == sum(len(kinds) for kinds in EVENT_KINDS.values())
    assert set(EVENT_KINDS) == {"task", "tag", "checklist", "member", "invitation"}
    assert set(SUMMARIES) == set(EVENT_TYPES)


def test_an_unreachable_feed_is_a_503_to_retry_not_a_500(make_account, monkeypatch):
    import dataclasses
    import socket

    from functions.activity import list_activity

    account = make_account()
    with socket.socket() as closed:  # a port nothing listens on: DynamoDB refuses every connection
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    unreachable = list_activity.deps.settings.model_copy(update={"aws_endpoint_url": f"http://127.0.0.1:{port}"})
    monkeypatch.setattr(list_activity, "deps", dataclasses.replace(list_activity.deps, settings=unreachable))

    response = account.client.get("/api/activity")

    assert response.status_code == 503
    assert response.header("Content-Type") == "application/problem+json"
    assert response.json()["detail"] == "the activity feed is unavailable; retry shortly"
    assert int(response.header("Retry-After") or 0) >= 1
