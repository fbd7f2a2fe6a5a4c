"""A page cursor is opaque to clients but not to the server: one it could not have handed out
for this query is a 400 problem, never a 500 and never a start in someone else's feed."""

from __future__ import annotations

import base64
import json

import pytest


def _cursor(key: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def _decoded(cursor: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))


@pytest.fixture
def feed(make_account, relay):
    """An account with three events on one task, and a stranger with a feed of their own."""
    owner, stranger = make_account(), make_account()
    task = owner.client.post("/api/tasks", json={"title": "paged"}).json()
    owner.client.patch(f"/api/tasks/{task['id']}", json={"priority": 1})
    owner.client.patch(f"/api/tasks/{task['id']}", json={"priority": 3})
    stranger.client.post("/api/tasks", json={"title": "the stranger's"})
    relay()
    workspace = owner.client.get("/api/workspaces").json()["items"][0]["id"]
    return {"owner": owner, "stranger": stranger, "task": task["id"], "workspace": workspace}


def _hostile_keys(real: dict) -> list[object]:
    """Keys of the right encoding but the wrong shape, derived from a real one."""
    first = sorted(real)[0]
    return [
        {},
        [],
        "text",
        7,
        None,
        {"a": 1},
        {name: value["S"] for name, value in real.items()},  # plain strings, not {"S": ...}
        {**real, "extra": {"S": "x"}},
        {name: value for name, value in real.items() if name != first},
        {**real, first: {"N": "1"}},
        {**real, first: {"S": 5}},
        {**real, first: {"S": ""}},
        {**real, first: {"S": "x", "N": "1"}},
        {**real, first: {"S": ["x"]}},
        {**real, first: {"S": {"S": "x"}}},
    ]


def test_a_workspace_feed_cursor_of_another_shape_is_a_400(feed):
    api = feed["owner"].client
    real = _decoded(api.get("/api/activity", params={"limit": 1}).json()["next_cursor"])
    assert set(real) == {"workspace_id", "sort_key"}

    for key in _hostile_keys(real):
        response = api.get("/api/activity", params={"cursor": _cursor(key)})
        assert response.status_code == 400, (key, response.text)
        assert response.header("Content-Type") == "application/problem+json"
        assert "cursor" in response.json()["detail"]


def test_a_task_feed_cursor_of_another_shape_is_a_400(feed):
    api = feed["owner"].client
    path = f"/api/tasks/{feed['task']}/activity"
    real = _decoded(api.get(path, params={"limit": 1}).json()["next_cursor"])
    assert set(real) == {"task_id", "sort_key", "workspace_id"}

    for key in [*_hostile_keys(real), {"workspace_id": real["workspace_id"], "sort_key": real["sort_key"]}]:
        response = api.get(path, params={"cursor": _cursor(key)})
        assert response.status_code == 400, (key, response.text)
        assert response.header("Content-Type") == "application/problem+json"


def test_a_cursor_into_another_partition_is_a_400(feed):
    owner, stranger = feed["owner"].client, feed["stranger"].client
    mine = _decoded(owner.get("/api/activity", params={"limit": 1}).json()["next_cursor"])
    theirs = stranger.get("/api/workspaces").json()["items"][0]["id"]

    moved = {**mine, "workspace_id": {"S": theirs}}
    assert owner.get("/api/activity", params={"cursor": _cursor(moved)}).status_code == 400
    other_task = stranger.get("/api/tasks").json()["items"][0]["id"]
    task_cursor = _decoded(owner.get(f"/api/tasks/{feed['task']}/activity", params={"limit": 1}).json()["next_cursor"])
    assert (
        owner.get(
            f"/api/tasks/{feed['task']}/activity",
            params={"cursor": _cursor({**task_cursor, "task_id": {"S": other_task}})},
        ).status_code
        == 400
    )


@pytest.mark.parametrize("cursor", ["%%%", "e30", "W10", "bnVsbA", "_" * 40, "eyJh", "W1tbW1tbW1tbW1tbW1t"])
def test_a_cursor_that_is_not_an_encoded_key_is_a_400(feed, cursor):
    for path in ("/api/activity", f"/api/tasks/{feed['task']}/activity"):
        response = feed["owner"].client.get(path, params={"cursor": cursor})
        assert response.status_code == 400, (path, cursor, response.text)


def test_the_cursors_handed_out_still_page_through_both_feeds(feed):
    api = feed["owner"].client
    for path in ("/api/activity", f"/api/tasks/{feed['task']}/activity"):
        seen, cursor = [], None
        while True:
            params = {"limit": 1, **({"cursor": cursor} if cursor else {})}
            page = api.get(path, params=params)
            assert page.status_code == 200, page.text
            seen += [item["id"] for item in page.json()["items"]]
            cursor = page.json()["next_cursor"]
            if cursor is None:
                break
        assert len(seen) == len(set(seen)) == 3, path
