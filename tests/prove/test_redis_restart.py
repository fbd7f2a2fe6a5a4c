"""Redis killed and restarted under load: no request fails because of it, and once Redis is
back the stack uses it again (its cache entries and rate-limit counters come back, cache hits
are served from it) with latency back near where it was before.

The whole local stack runs against a redis-server of its own, killed with SIGKILL and started
again on the same port, empty; the shared Redis is never touched.
"""

from __future__ import annotations

import contextlib
import random
import statistics
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis
import requests

from tests.functional.robustness.conftest import local_stack
from tests.prove.stack import poll, sign_up
from tests.support.redis_server import RedisServer

pytestmark = pytest.mark.prove

CLIENT_TIMEOUT = 10.0
CLIENTS = 4
# Latency after the restart counts as recovered once the median of recent requests is back
# within this factor of the median before the kill (plus a little slack for a busy machine).
RECOVERY_FACTOR = 3.0
RECOVERY_SLACK = 0.05  # seconds
# After a failed Redis call each function leaves Redis alone this long in that worker process
# (the circuit breaker in functions/platform/cache.py). The outage lasts until requests
# have been answered well past two of these: every breaker has tried Redis again and failed.
BREAKER_SECONDS = 2.0


@dataclass
class Answer:
    operation: str
    sent: float
    received: float
    status: int | None  # None: no HTTP answer at all
    expected: int
    detail: str = ""


@dataclass
class Call:
    operation: str
    method: str
    path: str
    expected: int
    body: dict[str, object] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    task_id: str = ""


def next_call(rng: random.Random, tasks: dict[str, str], number: int) -> Call:
    """Mostly reads (lists with filters, stats, one task), some writes (create, patch, delete)."""
    roll = rng.random()
    task_id = rng.choice(list(tasks)) if tasks else ""
    if roll < 0.40:
        path = rng.choice(["/api/tasks", "/api/tasks?completed=false", "/api/tasks?priority=1"])
        return Call("list", "GET", path, 200)
    if roll < 0.55:
        return Call("stats", "GET", "/api/stats", 200)
    if roll < 0.70 and task_id:
        return Call("get", "GET", f"/api/tasks/{task_id}", 200, task_id=task_id)
    if roll < 0.80 and task_id:
        return Call(
            "patch",
            "PATCH",
            f"/api/tasks/{task_id}",
            200,
            {"completed": rng.random() < 0.5},
            {"If-Match": tasks[task_id]},
            task_id,
        )
    if roll < 0.85 and task_id:
        return Call("delete", "DELETE", f"/api/tasks/{task_id}", 204, None, {"If-Match": tasks[task_id]}, task_id)
    body: dict[str, object] = {"title": f"redis restart {number}", "priority": rng.randint(1, 3)}
    return Call("create", "POST", "/api/tasks", 201, body)


@dataclass
class Traffic:
    """CLIENTS users, each in a closed loop on its own keep-alive session: mostly reads, some
    writes, every request with the one status it must answer. Bounded in count and time."""

    base_url: str
    answers: list[Answer] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)

    def client(self, token: str, seed: int, max_requests: int = 5000, seconds: float = 50.0) -> None:
        try:
            self.loop(token, seed, max_requests, seconds)
        except Exception as exc:  # recorded as a failed request, so the test reports it
            self.record(Answer("client", time.monotonic(), time.monotonic(), None, 0, repr(exc)))

    def loop(self, token: str, seed: int, max_requests: int, seconds: float) -> None:
        rng, session = random.Random(seed), requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        tasks: dict[str, str] = {}  # id -> ETag
        deadline = time.monotonic() + seconds
        for number in range(max_requests):
            if self.stop.is_set() or time.monotonic() > deadline:
                return
            call = next_call(rng, tasks, number)
            sent = time.monotonic()
            try:
                response = session.request(
                    call.method, self.base_url + call.path, json=call.body, headers=call.headers, timeout=CLIENT_TIMEOUT
                )
            except requests.RequestException as exc:
                self.record(Answer(call.operation, sent, time.monotonic(), None, call.expected, repr(exc)))
                continue
            self.record(
                Answer(call.operation, sent, time.monotonic(), response.status_code, call.expected, response.text[:300])
            )
            if response.status_code != call.expected:
                continue
            if call.operation == "create":
                tasks[response.json()["id"]] = response.headers["ETag"]
            elif call.operation in ("get", "patch"):
                tasks[call.task_id] = response.headers["ETag"]
            elif call.operation == "delete":
                del tasks[call.task_id]

    def record(self, answer: Answer) -> None:
        with self.lock:
            self.answers.append(answer)

    def start(self, tokens: list[str]) -> list[threading.Thread]:
        threads = [
            threading.Thread(target=self.client, args=(token, seed), daemon=True) for seed, token in enumerate(tokens)
        ]
        for thread in threads:
            thread.start()
        return threads

    def sent_since(self, moment: float) -> list[Answer]:
        with self.lock:
            return [a for a in self.answers if a.sent >= moment]

    def recent_median(self, since: float, count: int) -> float | None:
        """The median latency of the last `count` answers sent after `since`, once there are that many."""
        answers = self.sent_since(since)[-count:]
        return statistics.median(a.received - a.sent for a in answers) if len(answers) >= count else None


class CacheHits(threading.Thread):
    """Reads Redis's MONITOR stream from the moment it starts: a GET of a cache key that was
    SET earlier in the stream finds it there (a fresh server holds nothing else), so it is a
    cache hit served from this Redis."""

    STOP = "cache-hits-monitor-stop"

    def __init__(self, server: RedisServer, prefix: str) -> None:
        super().__init__(daemon=True)
        self.server, self.prefix = server, prefix + "c:"
        self.written: set[str] = set()
        self.hits = 0
        self.error: Exception | None = None
        self.connection = redis.Redis(host="127.0.0.1", port=server.port, socket_connect_timeout=2)
        self.monitor = self.connection.monitor()  # type: ignore[no-untyped-call]
        self.monitor.__enter__()  # MONITOR is on before start() returns: nothing after it is missed

    def run(self) -> None:
        try:
            while True:
                words = self.monitor.next_command()["command"].split(" ")
                name = words[0].upper()
                if name == "ECHO" and words[-1] == self.STOP:
                    return
                if len(words) > 1 and words[1].startswith(self.prefix):
                    if name == "SET":
                        self.written.add(words[1])
                    elif name == "GET" and words[1] in self.written:
                        self.hits += 1
        except Exception as exc:  # the test asserts there was none
            self.error = exc
        finally:
            self.monitor.__exit__()
            self.connection.close()

    def close(self) -> None:
        with contextlib.suppress(redis.RedisError), self.server.client() as client:
            client.echo(self.STOP)
        self.join(10)


def keys(server: RedisServer, pattern: str) -> int:
    with server.client() as client:
        return sum(1 for _ in client.scan_iter(match=pattern, count=1000))


def test_redis_killed_and_restarted_under_load_fails_no_request_and_is_used_again(
    tmp_path: Path, database_url: str
) -> None:
    prefix = f"tf-prove-redis-{uuid.uuid4().hex[:8]}:"
    server = RedisServer(tmp_path)
    server.start()
    hits: CacheHits | None = None
    try:
        with local_stack(
            tmp_path,
            DATABASE_URL=database_url,
            REDIS_URL=server.url,
            REDIS_KEY_PREFIX=prefix,
            WORKERS="2",
            API_RATE_LIMIT_PER_MINUTE="1000000",
        ) as base_url:
            traffic = Traffic(base_url)
            threads = traffic.start([sign_up(base_url, "redis-restart") for _ in range(CLIENTS)])
            try:
                poll(lambda: len(traffic.sent_since(0)) >= 150, 30, "150 answers before the kill")
                poll(
                    lambda: keys(server, prefix + "c:*") and keys(server, prefix + "rl:api:*"),
                    10,
                    "cache entries and rate-limit counters in Redis before the kill",
                )
                before = traffic.recent_median(0, 100)
                assert before is not None

                server.kill()
                down = time.monotonic()
                poll(
                    lambda: (
                        len(traffic.sent_since(down)) >= 100
                        and len(traffic.sent_since(down + 2 * BREAKER_SECONDS + 0.5)) >= 20
                    ),
                    30,
                    "100 answers while Redis was down, 20 of them after every circuit breaker retried it",
                )
                server.start()  # the same port, empty
                hits = monitor = CacheHits(server, prefix)
                monitor.start()
                back = time.monotonic()

                poll(
                    lambda: keys(server, prefix + "c:*") and keys(server, prefix + "rl:api:*"),
                    20,
                    "cache entries and rate-limit counters back under the stack's prefix",
                )
                poll(lambda: monitor.hits >= 1 or monitor.error, 20, "a cache hit served from the restarted Redis")
                assert monitor.error is None, monitor.error

                def latency_recovered() -> bool:
                    after = traffic.recent_median(back, 50)
                    return after is not None and after <= before * RECOVERY_FACTOR + RECOVERY_SLACK

                recovered = poll(
                    latency_recovered, 20, f"median latency back within {RECOVERY_FACTOR}x of {before * 1000:.0f} ms"
                )
                after = traffic.recent_median(back, 50)
            finally:
                traffic.stop.set()
                for thread in threads:
                    thread.join(CLIENT_TIMEOUT + 5)
            assert not any(thread.is_alive() for thread in threads)
    finally:
        if hits is not None:
            hits.close()
        server.close()

    answers = traffic.answers
    failed = [a for a in answers if a.status != a.expected]
    during = [a for a in answers if down <= a.sent < back]
    # Not one request failed: before, while Redis was down, or after it came back.
    assert not failed, f"{len(failed)} of {len(answers)} failed, e.g. {failed[:3]}"
    assert len(during) >= 100
    assert {a.operation for a in during} >= {"list", "stats", "create"}
    print(
        f"\n{len(answers)} requests, none failed; {len(during)} while Redis was down "
        f"({back - down:.1f} s); cache hits from the restarted Redis: {hits.hits if hits else 0}; "
        f"median latency {before * 1000:.0f} ms before the kill, {(after or 0) * 1000:.0f} ms "
        f"{recovered - back:.1f} s after the restart"
    )
