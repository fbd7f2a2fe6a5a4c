"""A cached read asks PostgreSQL one statement and nothing more, and keeps every promise an
uncached one does: a revoked token is refused on the very next read, a removed member too, a
writer's next read shows the write, and without Redis the same bytes come from PostgreSQL.

The hits here are real: each test first shows the answer stored in Redis, then that it is
still there when the read is refused, so the refusal cannot have come from a miss.
"""

from __future__ import annotations

import os

import psycopg
import pytest
import redis
import requests
from psycopg.conninfo import make_conninfo

from tests.functional.robustness.conftest import CLIENT_TIMEOUT, closed_port
from tests.support.round_trips import counting_round_trips

LIST = "/api/tasks?limit=50"
CACHED_READS = [LIST, "/api/stats", "/api/stats/history?days=7"]
HANDLERS = {
    LIST: "functions.tasks.list_tasks.handler",
    "/api/stats": "functions.stats.get_stats.handler",
    "/api/stats/history?days=7": "functions.stats.get_stats_history.handler",
}


def _stored(workspace_id: str) -> list[bytes]:
    """The cached answers of a workspace in the Redis the in-process functions use."""
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    return list(client.scan_iter(match=f"{os.environ['REDIS_KEY_PREFIX']}c:{workspace_id}:*"))


def _read_twice(account, path: str, **kwargs):
    """The second answer, which the cache held: both must be 200 and byte for byte equal."""
    first = account.client.get(path, **kwargs)
    second = account.client.get(path, **kwargs)
    assert first.status_code == second.status_code == 200, (first.text, second.text)
    assert second.content == first.content
    return second


@pytest.fixture
def shared(make_account):
    """A workspace shared by an owner and a viewer, with one task."""
    owner, viewer = make_account(), make_account()
    workspace = owner.client.post("/api/workspaces", json={"name": "Shared"}).json()
    token = owner.client.post(
        f"/api/workspaces/{workspace['id']}/invitations", json={"email": viewer.email, "role": "viewer"}
    ).json()["token"]
    assert viewer.client.post(f"/api/invitations/{token}/accept").status_code == 200
    task = owner.client.post("/api/tasks", json={"title": "shared", "workspace_id": workspace["id"]}).json()
    return {"id": workspace["id"], "owner": owner, "viewer": viewer, "task": task}


def test_a_hit_is_byte_for_byte_the_answer_that_stored_it(make_account):
    account = make_account()
    task = account.client.post("/api/tasks", json={"title": "one", "priority": 3}).json()
    account.client.post(f"/api/tasks/{task['id']}/checklist", json={"text": "a step"})

    for path in CACHED_READS:
        miss = account.client.get(path)
        hit = account.client.get(path)
        assert (hit.status_code, hit.content) == (miss.status_code, miss.content), path
        assert hit.header("Content-Type") == miss.header("Content-Type") == "application/json"
        assert hit.header("ETag") == miss.header("ETag")
        assert hit.header("X-Content-Type-Options") == miss.header("X-Content-Type-Options") == "nosniff"
    assert _stored(task["workspace_id"])
    assert account.client.get(LIST).json()["items"][0]["checklist_progress"] == {"done": 0, "total": 1}


def test_a_revoked_token_is_refused_on_the_very_next_cached_read(make_account):
    account = make_account()
    task = account.client.post("/api/tasks", json={"title": "mine"}).json()
    etag = _read_twice(account, LIST).header("ETag")
    for path in CACHED_READS[1:]:
        _read_twice(account, path)
    stored = _stored(task["workspace_id"])
    assert len(stored) == len(CACHED_READS)

    assert account.client.post("/api/auth/logout").status_code == 204

    for path in CACHED_READS:
        refused = account.client.get(path)
        assert refused.status_code == 401, (path, refused.text)
        assert refused.header("Content-Type") == "application/problem+json"
    assert account.client.get(LIST, headers={"If-None-Match": etag}).status_code == 401  # no 304 either
    assert account.client.get("/api/tags", headers={"If-None-Match": etag}).status_code == 401
    assert account.client.get(f"/api/tasks/{task['id']}").status_code == 401
    assert sorted(_stored(task["workspace_id"])) == sorted(stored)  # the answers were there to send


def test_a_removed_member_is_refused_on_the_next_cached_read(shared):
    viewer, scope = shared["viewer"], {"workspace_id": shared["id"]}
    etag = _read_twice(viewer, "/api/tasks", params=scope).header("ETag")
    _read_twice(viewer, "/api/stats", params=scope)
    tags_etag = viewer.client.get("/api/tags", params=scope).header("ETag")
    assert viewer.client.get("/api/tasks", params=scope, headers={"If-None-Match": etag}).status_code == 304
    assert _stored(shared["id"])

    removed = shared["owner"].client.delete(f"/api/workspaces/{shared['id']}/members/{viewer.id}")
    assert removed.status_code == 204

    assert viewer.client.get("/api/tasks", params=scope).status_code == 404
    assert viewer.client.get("/api/tasks", params=scope, headers={"If-None-Match": etag}).status_code == 404
    assert viewer.client.get("/api/stats", params=scope).status_code == 404
    assert viewer.client.get("/api/tags", params=scope, headers={"If-None-Match": tags_etag}).status_code == 404
    assert viewer.client.get(f"/api/tasks/{shared['task']['id']}").status_code == 404
    assert _stored(shared["id"])  # still cached for the owner, who still reads it
    assert shared["owner"].client.get("/api/tasks", params=scope).json()["items"][0]["title"] == "shared"


def test_a_writers_next_read_shows_the_write(shared):
    owner, viewer, scope = shared["owner"], shared["viewer"], {"workspace_id": shared["id"]}
    etag = _read_twice(viewer, "/api/tasks", params=scope).header("ETag")
    assert _read_twice(owner, "/api/stats", params=scope).json()["total"] == 1

    created = owner.client.post("/api/tasks", json={"title": "second", "workspace_id": shared["id"]})
    assert created.status_code == 201
    after_create = owner.client.get("/api/tasks", params=scope)
    assert [item["title"] for item in after_create.json()["items"]] == ["second", "shared"]
    assert owner.client.get("/api/stats", params=scope).json()["total"] == 2
    # Another member's old page is not current any more either.
    assert viewer.client.get("/api/tasks", params=scope, headers={"If-None-Match": etag}).status_code == 200

    task = created.json()
    patched = owner.client.patch(
        f"/api/tasks/{task['id']}", json={"title": "renamed"}, headers={"If-Match": created.header("ETag")}
    )
    assert patched.status_code == 200
    assert owner.client.get(f"/api/tasks/{task['id']}").json()["title"] == "renamed"
    assert "renamed" in [item["title"] for item in owner.client.get("/api/tasks", params=scope).json()["items"]]

    assert owner.client.delete(f"/api/tasks/{task['id']}").status_code == 204
    assert [item["title"] for item in owner.client.get("/api/tasks", params=scope).json()["items"]] == ["shared"]
    assert owner.client.get("/api/stats", params=scope).json()["total"] == 1


@pytest.mark.parametrize("path", [*CACHED_READS, "/api/tasks/{task}", "/api/tags (304)"])
def test_a_cache_hit_is_one_round_trip_to_postgresql(path, start_runtime, make_account, api_database):
    account = make_account()
    task = account.client.post("/api/tasks", json={"title": "counted"}).json()
    headers = {"Authorization": f"Bearer {account.access_token}"}
    handler = HANDLERS.get(path, "functions.tasks.get_task.handler")
    if path == "/api/tags (304)":
        handler, path = "functions.tags.list_tags.handler", "/api/tags"
        headers["If-None-Match"] = account.client.get(path).header("ETag") or ""
    path = path.replace("{task}", task["id"])
    expected = account.client.get(path, headers=headers)

    with counting_round_trips(api_database) as (counter, url):
        server = start_runtime(handler, DATABASE_URL=url)

        def read() -> tuple[int, requests.Response]:
            before = counter.count
            answer = requests.get(server.base_url + path, headers=headers, timeout=CLIENT_TIMEOUT)
            return counter.count - before, answer

        # psycopg prepares a statement on its 5th run on a connection (a round trip more), and
        # the pool may hold two connections, taken about in turn: enough runs for both to pass it.
        for _ in range(20):
            read()
        for _ in range(3):
            round_trips, answer = read()
            assert (answer.status_code, answer.content) == (expected.status_code, expected.content)
            assert round_trips == 1
        if path in HANDLERS:  # a miss after a write: the counter sees its transaction too
            account.client.post("/api/tasks", json={"title": "a write: a new generation"})
            round_trips, answer = read()
            assert answer.content == account.client.get(path, headers=headers).content
            assert round_trips >= 4  # the statement, then BEGIN, the answer's reads, COMMIT


def test_without_redis_postgresql_gives_the_same_answers_and_refusals(start_runtime, shared):
    owner, viewer, scope = shared["owner"], shared["viewer"], f"workspace_id={shared['id']}"
    cached = {path: _read_twice(viewer, f"{path}{'&' if '?' in path else '?'}{scope}") for path in CACHED_READS}
    no_redis = f"redis://127.0.0.1:{closed_port()}/0"
    servers = {path: start_runtime(handler, REDIS_URL=no_redis) for path, handler in HANDLERS.items()}

    def get(account, path: str) -> requests.Response:
        url = f"{servers[path].base_url}{path}{'&' if '?' in path else '?'}{scope}"
        headers = {"Authorization": f"Bearer {account.access_token}"}
        return requests.get(url, headers=headers, timeout=CLIENT_TIMEOUT)

    for path, hit in cached.items():
        answer = get(viewer, path)
        assert (answer.status_code, answer.content, answer.headers.get("ETag")) == (
            200,
            hit.content,
            hit.header("ETag"),
        )

    shared["owner"].client.delete(f"/api/workspaces/{shared['id']}/members/{viewer.id}")
    assert [get(viewer, path).status_code for path in CACHED_READS] == [404, 404, 404]
    assert get(owner, LIST).status_code == 200
    assert owner.client.post("/api/auth/logout").status_code == 204
    assert [get(owner, path).status_code for path in CACHED_READS] == [401, 401, 401]


def test_a_read_survives_connections_the_database_dropped(start_runtime, make_account, api_database):
    # A database restart leaves the pool holding dead connections; a read finds out by using
    # one (it skips the check at checkout) and runs again on a new one: 200, not 503.
    account = make_account()
    account.client.post("/api/tasks", json={"title": "kept"})
    url = make_conninfo(api_database, application_name="dropped-by-test")
    server = start_runtime("functions.tasks.list_tasks.handler", DATABASE_URL=url)
    headers = {"Authorization": f"Bearer {account.access_token}"}
    for _ in range(3):
        assert requests.get(server.base_url + LIST, headers=headers, timeout=CLIENT_TIMEOUT).status_code == 200

    with psycopg.connect(api_database, autocommit=True) as conn:
        dropped = conn.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'dropped-by-test'"
        ).fetchone()
    assert dropped is not None
    assert dropped[0] >= 1

    answer = requests.get(server.base_url + LIST, headers=headers, timeout=CLIENT_TIMEOUT)
    assert answer.status_code == 200, answer.text
    assert [item["title"] for item in answer.json()["items"]] == ["kept"]
