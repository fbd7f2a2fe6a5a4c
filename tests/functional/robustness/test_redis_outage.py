"""Redis is a cache and a counter, never a dependency: the API keeps answering, correctly
and promptly, while Redis is gone, and serves nothing stale once it is back.

The whole local stack runs as a subprocess against a private redis-server, so the test
can kill, pause and restart it without touching the Redis other tests share.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import requests

from tests.functional.robustness.conftest import (
    CLIENT_TIMEOUT,
    PROBLEM_JSON,
    RedisServer,
    closed_port,
    local_stack,
)

LOGIN = "functions.auth.post_login.handler"


@dataclass
class Api:
    """A client of the running stack; every call must finish within CLIENT_TIMEOUT."""

    base_url: str
    token: str | None = None
    session: requests.Session = field(default_factory=requests.Session)

    def call(self, method: str, path: str, expect: int, **kwargs) -> requests.Response:
        headers = {**({"Authorization": f"Bearer {self.token}"} if self.token else {}), **kwargs.pop("headers", {})}
        response = self.session.request(method, self.base_url + path, headers=headers, timeout=CLIENT_TIMEOUT, **kwargs)
        assert response.status_code == expect, f"{method} {path}: {response.status_code} {response.text}"
        return response

    def sign_up(self) -> tuple[str, str, str]:
        """Registers and logs in a fresh account: (user id, e-mail, password)."""
        email, password = f"redis-{uuid.uuid4().hex[:10]}@example.com", "a long enough password"
        user_id = self.call("POST", "/api/auth/register", 201, json={"email": email, "password": password}).json()["id"]
        self.token = self.call("POST", "/api/auth/login", 200, json={"email": email, "password": password}).json()[
            "access_token"
        ]
        return user_id, email, password

    def titles(self) -> list[str]:
        return sorted(item["title"] for item in self.call("GET", "/api/tasks", 200).json()["items"])

    def create(self, title: str) -> requests.Response:
        return self.call("POST", "/api/tasks", 201, json={"title": title})


def _cache_entries(redis_server: RedisServer) -> list[bytes]:
    """The cached responses in the private Redis (the stack shares the test run's key prefix)."""
    return list(redis_server.client().scan_iter(match=os.environ["REDIS_KEY_PREFIX"] + "c:*"))


def _api_counter(redis_server: RedisServer, user_id: str) -> int:
    keys = list(redis_server.client().scan_iter(match=f"*rl:api:{user_id}"))
    return int(redis_server.client().get(keys[0]) or 0) if keys else 0


def _until_redis_is_used(
    redis_server: RedisServer, user_id: str, request: Callable[[], None], timeout: float = 15.0
) -> None:
    """Repeats `request` (which asserts its own answer) until one of them went through
    Redis, i.e. the function's circuit breaker has closed again: its rate-limit counter moved."""
    deadline = time.monotonic() + timeout
    while True:
        before = _api_counter(redis_server, user_id)
        request()
        if _api_counter(redis_server, user_id) > before:
            return
        assert time.monotonic() < deadline, "the function never used Redis again"


def assert_equal(actual: object, expected: object) -> None:
    assert actual == expected


def test_the_api_keeps_working_without_redis_and_after_it_returns(tmp_path, database_url, redis_server):
    with local_stack(tmp_path, DATABASE_URL=database_url, REDIS_URL=redis_server.url) as base_url:
        api = Api(base_url)
        user_id, email, password = api.sign_up()
        api.create("before one")
        second = api.create("before two")
        assert api.titles() == ["before one", "before two"]
        assert api.titles() == ["before one", "before two"]  # served from the cache
        assert _cache_entries(redis_server)

        redis_server.kill()

        assert api.call("GET", "/api/stats", 200).json()["total"] == 2
        assert api.titles() == ["before one", "before two"]
        task_id = second.json()["id"]
        api.call(
            "PATCH",
            f"/api/tasks/{task_id}",
            200,
            json={"title": "changed during the outage"},
            headers={"If-Match": second.headers["ETag"]},
        )
        assert api.call("GET", f"/api/tasks/{task_id}", 200).json()["title"] == "changed during the outage"
        api.call("POST", "/api/auth/login", 401, json={"email": email, "password": "not the password"})
        session = api.call("POST", "/api/auth/login", 200, json={"email": email, "password": password}).json()
        api.call("POST", "/api/auth/refresh", 200, json={"refresh_token": session["refresh_token"]})
        assert api.call("GET", "/api/auth/me", 200).json()["id"] == user_id
        Api(base_url).sign_up()  # a newcomer can still join
        # The create function meets the outage last, well after the list function did.
        api.create("created during the outage")
        during = ["before one", "changed during the outage", "created during the outage"]
        assert api.titles() == during
        assert api.call("GET", "/api/stats", 200).json()["total"] == 3

        redis_server.start()

        # Listing uses Redis again (and caches pages again) before the create function does, as
        # replicas recover one by one: a write made now must still show in the next list.
        _until_redis_is_used(redis_server, user_id, lambda: assert_equal(api.titles(), during))
        api.create("created after the restart")
        assert api.titles() == sorted([*during, "created after the restart"])
        assert api.call("GET", "/api/stats", 200).json()["total"] == 4


def test_a_write_while_redis_does_not_answer_is_not_hidden_by_the_cache_afterwards(
    tmp_path, database_url, redis_server
):
    # Redis stops answering for a moment (paused, as in a network partition) and comes
    # back with everything it held. Writes made meanwhile could not invalidate the cache;
    # the cached pages from before must not be served as if they were current.
    with local_stack(tmp_path, DATABASE_URL=database_url, REDIS_URL=redis_server.url) as base_url:
        api = Api(base_url)
        user_id, _, _ = api.sign_up()
        api.create("before")
        assert api.titles() == ["before"]
        assert api.titles() == ["before"]  # cached
        assert api.call("GET", "/api/stats", 200).json()["total"] == 1
        assert api.call("GET", "/api/stats", 200).json()["total"] == 1  # cached
        assert _cache_entries(redis_server)

        redis_server.pause()
        try:
            api.create("while redis did not answer")
            assert api.titles() == ["before", "while redis did not answer"]
        finally:
            redis_server.resume()
        redis_server.client().ping()

        expected = ["before", "while redis did not answer"]
        _until_redis_is_used(redis_server, user_id, lambda: assert_equal(api.titles(), expected))
        assert api.titles() == expected
        _until_redis_is_used(
            redis_server, user_id, lambda: assert_equal(api.call("GET", "/api/stats", 200).json()["total"], 2)
        )
        assert api.call("GET", "/api/stats", 200).json()["total"] == 2


def test_failed_logins_are_limited_even_without_redis(start_runtime, make_account):
    # Nothing listens on REDIS_URL's port: failed logins are counted in PostgreSQL all the same
    # (tests/functional/login proves the count exact across processes).
    server = start_runtime(LOGIN, REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0")
    user, other = make_account(), make_account()
    url = server.base_url + "/api/auth/login"

    for attempt in range(10):
        failed = requests.post(url, json={"email": user.email, "password": "wrong password"}, timeout=CLIENT_TIMEOUT)
        assert failed.status_code == 401, (attempt, failed.text)
    blocked = requests.post(url, json={"email": user.email, "password": user.password}, timeout=CLIENT_TIMEOUT)

    assert blocked.status_code == 429, blocked.text
    assert blocked.headers["Content-Type"] == PROBLEM_JSON
    assert 0 < int(blocked.headers["Retry-After"]) <= 900
    # The limit is the account's: another account still logs in.
    assert (
        requests.post(url, json={"email": other.email, "password": other.password}, timeout=CLIENT_TIMEOUT).status_code
        == 200
    )
