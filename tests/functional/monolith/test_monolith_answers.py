"""The monolith of benchmarks/monolith answers as TaskForge does, so the race compares like with like.

Both run in this process on the same database and Redis: TaskForge behind its local gateway,
the monolith as its Flask app (its own Redis key prefix). The same accounts, tokens and tasks
are asked the same questions of both: the bodies must be equal field for field (a page's
cursor is each server's own encoding, so pages are compared by following each one's cursors)
and the statuses must be the same, refusals included.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
import redis
from sqlalchemy.engine import URL

from benchmarks.monolith import create_app
from functions.platform.tokens import TokenSigner
from tests.support.wsgi_client import WsgiClient, WsgiResponse

LIST_CASES = [
    {"limit": 50},
    {"limit": 7},
    {"limit": 9, "sort": "due_date", "order": "asc"},
    {"limit": 9, "sort": "due_date", "order": "desc"},
    {"limit": 11, "sort": "priority", "order": "asc"},
    {"limit": 11, "sort": "priority", "order": "desc", "completed": "false"},
    {"limit": 100, "priority": 1},
    {"limit": 5, "sort": "created_at", "order": "asc", "completed": "true"},
]


def _sqlalchemy_url(conninfo: str) -> URL:
    parts = psycopg.conninfo.conninfo_to_dict(conninfo)
    return URL.create(
        "postgresql+psycopg",
        username=str(parts.get("user") or "postgres"),
        host=str(parts.get("host") or "127.0.0.1"),
        port=int(parts.get("port") or 5432),
        database=str(parts["dbname"]),
    )


def _make_monolith(api_database: str, prefix: str, **config: Any) -> Any:
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": _sqlalchemy_url(api_database),
            "REDIS_KEY_PREFIX": prefix,
            # The rate limit has its own test; here it must not get in the way.
            "API_RATE_LIMIT_PER_MINUTE": 10**9,
            **config,
        }
    )


@pytest.fixture(scope="module")
def redis_prefix() -> Iterator[str]:
    prefix = f"tf-test-monolith-{uuid.uuid4().hex[:10]}:"
    yield prefix
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture(scope="module")
def monolith(api_database: str, redis_prefix: str) -> Any:
    return _make_monolith(api_database, redis_prefix)


class Pair:
    """One account's requests, sent to both servers with the same token."""

    def __init__(self, gateway: Any, monolith: Any, token: str) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        self.taskforge = WsgiClient(gateway, headers)
        self.monolith = WsgiClient(monolith, headers)

    def both(self, method: str, path: str, **kwargs: Any) -> tuple[WsgiResponse, WsgiResponse]:
        return (self.taskforge.request(method, path, **kwargs), self.monolith.request(method, path, **kwargs))

    def same_status(self, method: str, path: str, **kwargs: Any) -> int:
        taskforge, monolith = self.both(method, path, **kwargs)
        assert (monolith.status_code, monolith.header("Content-Type")) == (
            taskforge.status_code,
            taskforge.header("Content-Type"),
        ), f"{method} {path} {kwargs}: {taskforge.text} / {monolith.text}"
        return taskforge.status_code


def _walk(client: WsgiClient, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Every page of a list, following the server's own cursors."""
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(100):
        page = client.get("/api/tasks", params={**params, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200, page.text
        body = page.json()
        assert len(body["items"]) <= int(params["limit"])
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("more than 100 pages")


@pytest.fixture
def filled(make_account, gateway, monolith) -> tuple[Any, Pair, list[dict[str, Any]]]:
    """An account with 60 varied tasks (through TaskForge), one tagged twice, one with a checklist."""
    account = make_account()
    now = datetime.now(UTC).replace(microsecond=0)
    bodies = [
        {
            "title": f"task {i}",
            "description": "x" * (i % 3),
            "priority": 1 + i % 3,
            "completed": i % 5 == 0,
            **({"due_date": (now + timedelta(hours=i % 7)).isoformat().replace("+00:00", "Z")} if i % 4 else {}),
        }
        for i in range(60)
    ]
    created = account.client.post("/api/tasks/batch", json={"tasks": bodies})
    assert created.status_code == 201, created.text
    tasks = created.json()["items"]
    for name, colour in (("Work", "#112233"), ("home", "#445566")):
        tag = account.client.post("/api/tags", json={"name": name, "color": colour})
        assert tag.status_code == 201, tag.text
        assert account.client.put(f"/api/tasks/{tasks[3]['id']}/tags/{tag.json()['id']}").status_code == 200
    for text in ("one", "two", "three"):
        item = account.client.post(f"/api/tasks/{tasks[4]['id']}/checklist", json={"text": text})
        assert item.status_code == 201, item.text
    done = account.client.get(f"/api/tasks/{tasks[4]['id']}/checklist").json()["items"][0]
    patched = account.client.patch(f"/api/tasks/{tasks[4]['id']}/checklist/{done['id']}", json={"done": True})
    assert patched.status_code == 200, patched.text
    return account, Pair(gateway, monolith, account.access_token), tasks


def test_every_list_page_is_the_same(filled):
    _, pair, tasks = filled
    for params in LIST_CASES:
        taskforge = _walk(pair.taskforge, params)
        assert taskforge  # every case finds tasks, so the comparison says something
        assert _walk(pair.monolith, params) == taskforge, params
    everything = _walk(pair.monolith, {"limit": 100})
    assert {task["id"] for task in everything} == {task["id"] for task in tasks}
    tagged = next(task for task in everything if task["id"] == tasks[3]["id"])
    assert [tag["name"] for tag in tagged["tags"]] == ["home", "Work"]
    listed = next(task for task in everything if task["id"] == tasks[4]["id"])
    assert listed["checklist_progress"] == {"done": 1, "total": 3}


def test_one_task_is_the_same_with_the_same_etag(filled):
    _, pair, tasks = filled
    for task in tasks[:6]:
        taskforge, monolith = pair.both("GET", f"/api/tasks/{task['id']}")
        assert taskforge.status_code == monolith.status_code == 200
        assert monolith.json() == taskforge.json()
        assert monolith.header("ETag") == taskforge.header("ETag") == f'"{taskforge.json()["version"]}"'
        assert monolith.header("Cache-Control") == taskforge.header("Cache-Control") == "no-store"


def test_a_task_created_by_either_reads_the_same_from_both(make_account, gateway, monolith):
    account = make_account()
    pair = Pair(gateway, monolith, account.access_token)
    body = {"title": "from the race", "description": "d", "priority": 1, "due_date": "2030-01-02T09:00:00Z"}
    for creator in (pair.monolith, pair.taskforge):
        created = creator.post("/api/tasks", json=body)
        assert created.status_code == 201, created.text
        task = created.json()
        assert created.header("Location") == f"/api/tasks/{task['id']}"
        assert created.header("ETag") == '"1"'
        taskforge, monolith = pair.both("GET", created.header("Location"))
        assert taskforge.json() == monolith.json() == task
        assert task["timezone"] == "UTC"  # the account's zone, as TaskForge records it
        assert (task["due_date"], task["priority"], task["owner"]) == (body["due_date"], 1, account.id)
    done = pair.monolith.post("/api/tasks", json={"title": "done already", "completed": True}).json()
    assert done["completed_at"] is not None
    assert pair.taskforge.get(f"/api/tasks/{done['id']}").json() == done


def test_a_write_through_taskforge_refreshes_the_monoliths_cached_page(make_account, gateway, monolith):
    account = make_account()
    pair = Pair(gateway, monolith, account.access_token)
    pair.taskforge.post("/api/tasks", json={"title": "first"})
    assert [task["title"] for task in pair.monolith.get("/api/tasks").json()["items"]] == ["first"]
    pair.taskforge.post("/api/tasks", json={"title": "second"})
    taskforge, monolith = pair.both("GET", "/api/tasks")
    assert [task["title"] for task in monolith.json()["items"]] == ["second", "first"]
    assert monolith.json() == taskforge.json()


def test_a_list_revalidates_with_its_etag_on_both(make_account, gateway, monolith):
    account = make_account()
    pair = Pair(gateway, monolith, account.access_token)
    pair.taskforge.post("/api/tasks", json={"title": "first"})
    etags = {}
    for client in (pair.taskforge, pair.monolith):
        etag = client.get("/api/tasks", params={"limit": 5}).header("ETag")
        assert etag is not None
        assert etag.startswith('"')
        etags[id(client)] = etag
        assert client.get("/api/tasks", params={"limit": 5}, headers={"If-None-Match": etag}).status_code == 304
        assert client.get("/api/tasks", params={"limit": 6}, headers={"If-None-Match": etag}).status_code == 200
    pair.taskforge.post("/api/tasks", json={"title": "second"})
    for client in (pair.taskforge, pair.monolith):
        stale = {"If-None-Match": etags[id(client)]}
        assert client.get("/api/tasks", params={"limit": 5}, headers=stale).status_code == 200


def test_refusals_have_the_same_status(make_account, gateway, monolith, api_database):
    owner, other = make_account(), make_account()
    pair = Pair(gateway, monolith, owner.access_token)
    task_id = owner.client.post("/api/tasks", json={"title": "mine"}).json()["id"]
    stranger = Pair(gateway, monolith, other.access_token)
    missing = str(uuid.uuid4())
    assert stranger.same_status("GET", f"/api/tasks/{task_id}") == 404
    for path in (f"/api/tasks/{missing}", "/api/tasks/not-a-uuid", "/api/tasks/1"):
        assert pair.same_status("GET", path) == 404
    for params in ({"limit": 0}, {"limit": 101}, {"priority": 9}, {"sort": "title"}, {"order": "up"}):
        assert pair.same_status("GET", "/api/tasks", params=params) == 422, params
    assert pair.same_status("GET", "/api/tasks", params={"completed": "maybe"}) == 422
    assert pair.same_status("GET", "/api/tasks", params={"cursor": "garbage!"}) == 400
    assert pair.same_status("GET", "/api/tasks", params={"workspace_id": missing}) == 404
    assert pair.same_status("GET", "/api/tasks", params={"workspace_id": "nope"}) == 404
    for body in (
        {"title": ""},
        {"title": "   "},
        {"title": "x" * 201},
        {"title": "ok", "description": "x" * 10_001},
        {"title": "ok", "priority": 0},
        {"title": "ok", "priority": "1"},
        {"title": "ok", "completed": "yes"},
        {"title": "ok", "due_date": "2026-01-01T10:00:00"},
        {"title": "ok", "due_date": "0001-01-01T00:00:00Z"},
        {"title": "ok", "id": missing},
        {"title": "ok", "owner": missing},
        {"title": "ok", "version": 3},
        {"title": "ok", "workspace_id": "nope"},
        {"title": "ok", "timezone": "Mars/Olympus_Mons"},
        [{"title": "ok"}],
    ):
        assert pair.same_status("POST", "/api/tasks", json=body) == 422, body
    as_json, as_text = {"Content-Type": "application/json"}, {"Content-Type": "text/plain"}
    assert pair.same_status("POST", "/api/tasks", body=b"{not json", headers=as_json) == 422
    assert pair.same_status("POST", "/api/tasks", body=b"title=x", headers=as_text) == 415
    assert pair.same_status("POST", "/api/tasks", json={"title": "x", "workspace_id": missing}) == 404

    # A viewer of a shared workspace reads it and cannot write to it.
    shared = owner.client.post("/api/workspaces", json={"name": "Shared"}).json()["id"]
    owner.client.post("/api/tasks", json={"title": "shared task", "workspace_id": shared})
    with psycopg.connect(api_database, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO memberships (workspace_id, user_id, role) VALUES (%s, %s, 'viewer')", (shared, other.id)
        )
    taskforge, monolith = stranger.both("GET", "/api/tasks", params={"workspace_id": shared})
    assert taskforge.status_code == 200
    assert monolith.json() == taskforge.json()
    assert [task["title"] for task in taskforge.json()["items"]] == ["shared task"]
    assert stranger.same_status("POST", "/api/tasks", json={"title": "x", "workspace_id": shared}) == 403


def test_a_bad_token_is_401_from_both(make_account, gateway, monolith, api_database):
    account = make_account()
    task_id = account.client.post("/api/tasks", json={"title": "t"}).json()["id"]
    signer = TokenSigner(os.environ["JWT_PRIVATE_KEY"], "taskforge", "taskforge-api")
    elsewhere = TokenSigner(os.environ["JWT_PRIVATE_KEY"], "taskforge", "another-audience")
    from tests.support.keys import ed25519_pem

    forged = TokenSigner(ed25519_pem()[0], "taskforge", "taskforge-api")
    tokens = {
        "garbage": "x.y.z",
        "another key": forged.issue(account.id, "access", 0, 600)[0],
        "another audience": elsewhere.issue(account.id, "access", 0, 600)[0],
        "a refresh token": signer.issue(account.id, "refresh", 0, 600)[0],
        "expired": signer.issue(account.id, "access", 0, -60)[0],
    }
    for what, token in tokens.items():
        pair = Pair(gateway, monolith, token)
        for method, path in (("GET", "/api/tasks"), ("GET", f"/api/tasks/{task_id}"), ("POST", "/api/tasks")):
            kwargs = {"json": {"title": "t"}} if method == "POST" else {}
            assert pair.same_status(method, path, **kwargs) == 401, what
    anonymous = Pair(gateway, monolith, "")
    anonymous.taskforge.default_headers.clear()
    anonymous.monolith.default_headers.clear()
    assert anonymous.same_status("GET", "/api/tasks") == 401
    assert anonymous.monolith.get("/api/tasks").header("WWW-Authenticate") == 'Bearer realm="taskforge"'

    # A token of an older version (a logout, a password change since) is dead on both.
    pair = Pair(gateway, monolith, account.access_token)
    assert pair.same_status("GET", "/api/tasks") == 200
    with psycopg.connect(api_database, autocommit=True) as conn:
        conn.execute("UPDATE users SET token_version = token_version + 1 WHERE id = %s", (account.id,))
    assert pair.same_status("GET", "/api/tasks") == 401
    assert pair.same_status("GET", f"/api/tasks/{task_id}") == 401


def test_the_monolith_limits_each_user_per_minute(make_account, api_database, redis_prefix):
    limited = _make_monolith(api_database, redis_prefix + "limited:", API_RATE_LIMIT_PER_MINUTE=3)
    first, second = make_account(), make_account()
    client = WsgiClient(limited, {"Authorization": f"Bearer {first.access_token}"})
    assert [client.get("/api/tasks").status_code for _ in range(3)] == [200, 200, 200]
    refused = client.post("/api/tasks", json={"title": "over the limit"})
    assert refused.status_code == 429
    assert refused.header("Content-Type") == "application/problem+json"
    assert 1 <= int(refused.header("Retry-After") or 0) <= 60
    assert first.client.get("/api/tasks").json()["items"] == []  # the refused write did not happen
    assert WsgiClient(limited, {"Authorization": f"Bearer {second.access_token}"}).get("/api/tasks").status_code == 200
