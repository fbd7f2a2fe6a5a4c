"""Lists that revalidate and activity within seconds, measured on the local stack.

(a) GET /api/tasks?limit=50 answered 304 (If-None-Match with the page's current ETag) against
    the same request answered 200 from the Redis page cache, side by side in one run: each
    round sends a burst of each, alternating which goes first, and gives one ratio of p50 and
    one of p99 (200 ÷ 304). Every 200 of a round is checked to be a cache hit (the page's key
    is in Redis before the burst and the generation does not move), every 304 to be a 304.
(b) activity latency: from the moment a write is sent (PATCH a task) to the moment its entry
    is in GET /api/activity, p50 and p99 over N writes one after another. The reader polls
    with If-None-Match, so an unchanged feed costs it a 304; the polling interval (2 ms)
    bounds the resolution. Every event is checked to have been published within 2 s of being
    written, which the relay (once a minute) could not do for more than a few.

Everything runs against `python -m functions.devserver` (every catalog function behind one
gateway, WORKERS processes, the stand-in broker) started here, on a database created for
the run (dropped at the end) and a Redis key prefix of the run's own (deleted at the end).
The user registers and logs in through the API; their tasks are created through it too.

    .venv/bin/python benchmarks/revalidation.py [--requests 200] [--rounds 9] [--writes 200]

Prints the figures and exits 0; a benchmark that cannot run (a stack that does not start,
an unexpected status, a 200 that was not a cache hit) exits 1.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import redis
from load import LoadError

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import api_data  # noqa: E402
from runtime import PYTHON, Spec, spawn, stop  # noqa: E402

from functions.devserver.keys import local_signing_key  # noqa: E402
from tests.support.processes import free_port, wait_until_ready  # noqa: E402

REDIS_URL = "redis://127.0.0.1:6379/14"
PASSWORD = "benchmark-password-1"  # a throwaway account in a throwaway database
TASKS = 200
PAGE = "/api/tasks?limit=50"
POLL_SECONDS = 0.002


# ---------------------------------------------------------------- figures


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


@dataclass
class Round:
    hit: list[float]  # seconds per 200 served from the cache
    not_modified: list[float]  # seconds per 304

    def ratio(self, fraction: float) -> float:
        return percentile(self.hit, fraction) / percentile(self.not_modified, fraction)


# ---------------------------------------------------------------- the stack and its user


class Api:
    """One keep-alive connection to the stack, with the caller's token."""

    def __init__(self, port: int, token: str | None = None) -> None:
        self.port = port
        self.token = token
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], Any]:
        sent = {"Content-Type": "application/json", **(headers or {})}
        if self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        payload = json.dumps(body).encode() if body is not None else None
        try:
            self.connection.request(method, path, body=payload, headers=sent)
            response = self.connection.getresponse()
        except (http.client.HTTPException, OSError):  # the server closed a kept-alive connection
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            self.connection.request(method, path, body=payload, headers=sent)
            response = self.connection.getresponse()
        raw = response.read()
        return response.status, dict(response.getheaders()), json.loads(raw) if raw else None

    def expect(
        self, status: int, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> Any:
        got, answer_headers, answer = self.call(method, path, body, headers)
        if got != status:
            raise LoadError(f"{method} {path}: {got}, expected {status}: {answer}")
        return answer, answer_headers


def start_stack(database: str, prefix: str, workers: int, log_dir: Path) -> tuple[int, Any]:
    env = {
        "DATABASE_URL": api_data.database_url(database),
        "REDIS_URL": REDIS_URL,
        "REDIS_KEY_PREFIX": prefix,
        "JWT_PRIVATE_KEY": local_signing_key(log_dir / "keys"),
        "API_RATE_LIMIT_PER_MINUTE": str(10**9),
        "WORKERS": str(workers),
        "DEVDATA_DIR": str(log_dir / "devdata"),
        "WEB_DIST_DIR": str(log_dir / "no-web-dist"),
        "COOKIE_SECURE": "false",
    }
    spec = Spec("stack", [PYTHON, "-m", "functions.devserver"], REPO, env, ready_path="/ready")
    port = free_port()
    process = spawn(spec, port, log_dir)
    try:
        wait_until_ready(f"http://127.0.0.1:{port}/ready", process, timeout=120)
    except Exception as exc:
        log = (log_dir / f"stack-{port}.log").read_text(errors="replace")[-3000:]
        stop(process)
        raise LoadError(f"the stack did not start: {exc}\n--- its log ---\n{log}") from exc
    return port, process


def sign_up(port: int) -> Api:
    anonymous = Api(port)
    email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
    anonymous.expect(201, "POST", "/api/auth/register", {"email": email, "password": PASSWORD})
    tokens, _ = anonymous.expect(200, "POST", "/api/auth/login", {"email": email, "password": PASSWORD})
    return Api(port, tokens["access_token"])


# ---------------------------------------------------------------- (a) 304 against a cache hit


def burst(api: Api, requests: int, etag: str | None) -> list[float]:
    """`requests` GETs of the page back to back; with `etag`, as If-None-Match (each must be 304)."""
    headers = {"If-None-Match": etag} if etag else {}
    expected = 304 if etag else 200
    latencies = []
    for _ in range(requests):
        began = time.perf_counter()
        status, _, _ = api.call("GET", PAGE, headers=headers)
        latencies.append(time.perf_counter() - began)
        if status != expected:
            raise LoadError(f"GET {PAGE}: {status}, expected {expected}")
    return latencies


def cached_pages(cache: redis.Redis, prefix: str, scope: str, generation: int) -> int:
    return sum(1 for _ in cache.scan_iter(match=f"{prefix}c:{scope}:g{generation}:tasks:*", count=1000))


def generation_of(database: str, scope: str) -> int:
    with psycopg.connect(api_data.database_url(database)) as conn:
        row = conn.execute("SELECT cache_generation FROM workspaces WHERE id = %s", (scope,)).fetchone()
    assert row is not None
    return int(row[0])


def revalidation(api: Api, database: str, cache: redis.Redis, prefix: str, requests: int, rounds: int) -> list[Round]:
    page, headers = api.expect(200, "GET", PAGE)
    etag = headers["ETag"]
    if len(page["items"]) != 50:
        raise LoadError(f"the page holds {len(page['items'])} tasks, not 50")
    scope = page["items"][0]["workspace_id"]
    print(f"  the 200 carries {int(headers['Content-Length']) / 1024:.1f} KiB of JSON; the 304 none", flush=True)
    generation = generation_of(database, scope)
    if cached_pages(cache, prefix, scope, generation) != 1:
        raise LoadError("the page is not in the cache after a first read")
    burst(api, max(20, requests // 5), None)  # warm-up of both paths
    burst(api, max(20, requests // 5), etag)
    results = []
    for index in range(rounds):
        sides: dict[str, list[float]] = {"hit": [], "304": []}
        for side in ("hit", "304") if index % 2 == 0 else ("304", "hit"):
            sides[side] = burst(api, requests, etag if side == "304" else None)
        if generation_of(database, scope) != generation or cached_pages(cache, prefix, scope, generation) != 1:
            raise LoadError("the generation moved or the page left the cache: not every 200 was a hit")
        result = Round(sides["hit"], sides["304"])
        results.append(result)
        print(
            f"  round {index + 1}: 200 (hit) p50 {percentile(result.hit, 0.5) * 1000:.2f} "
            f"p99 {percentile(result.hit, 0.99) * 1000:.2f} ms | 304 "
            f"p50 {percentile(result.not_modified, 0.5) * 1000:.2f} "
            f"p99 {percentile(result.not_modified, 0.99) * 1000:.2f} ms",
            flush=True,
        )
    return results


# ---------------------------------------------------------------- (b) change → feed


def activity_latency(api: Api, reader: Api, database: str, writes: int) -> tuple[str, list[float], list[float]]:
    """The task changed, and (change → in the feed, the write's own answer), in seconds, per write."""
    task, _ = api.expect(201, "POST", "/api/tasks", {"title": "watched"})
    _, headers = reader.expect(200, "GET", "/api/activity?limit=1")
    etag = headers["ETag"]
    visible, answered = [], []
    with psycopg.connect(api_data.database_url(database), autocommit=True) as conn:
        for index in range(writes):
            began = time.perf_counter()
            api.expect(200, "PATCH", f"/api/tasks/{task['id']}", {"priority": 1 + index % 3})
            answered.append(time.perf_counter() - began)
            row = conn.execute(_LATEST, (task["id"],)).fetchone()  # committed before the answer
            assert row is not None
            while True:
                status, headers, feed = reader.call("GET", "/api/activity?limit=1", headers={"If-None-Match": etag})
                if status == 200:
                    etag = headers["ETag"]
                    if feed["items"] and feed["items"][0]["id"] == row[0]:
                        break
                elif status != 304:
                    raise LoadError(f"GET /api/activity: {status}")
                if time.perf_counter() - began > 90:
                    raise LoadError(f"write {index + 1} did not reach the feed within 90 s")
                time.sleep(POLL_SECONDS)
            visible.append(time.perf_counter() - began)
    return task["id"], visible, answered


_LATEST = "SELECT event_id::text FROM outbox WHERE task_id = %s ORDER BY id DESC LIMIT 1"


def published_by_the_writes(database: str, task_id: str) -> tuple[int, int]:
    """(updates of the task, those published within 2 s of being written: the relay runs once a minute)."""
    with psycopg.connect(api_data.database_url(database)) as conn:
        row = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE published_at - created_at < interval '2 seconds')"
            " FROM outbox WHERE task_id = %s AND type = 'dev.taskforge.task.updated'",
            (task_id,),
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


# ---------------------------------------------------------------- the run


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return f"{os.cpu_count()} cores ({cpu}), load average {load}, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per side and round in (a)")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--writes", type=int, default=200, help="writes timed in (b)")
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args(argv)

    for name in ("AWS_ENDPOINT_URL", "BROKER_URL", "BROKER_TOKEN"):  # the stack's own: moto and its stand-in broker
        os.environ.pop(name, None)
    prefix = f"tf-bench-reval-{uuid.uuid4().hex[:8]}:"
    cache = redis.Redis.from_url(REDIS_URL)
    print(f"machine: {machine()}", flush=True)
    with (
        tempfile.TemporaryDirectory(prefix="tf-bench-reval-") as folder,
        api_data.databases("tf_bench_reval", 1) as (database,),
    ):
        log_dir = Path(folder)
        port, process = start_stack(database, prefix, args.workers, log_dir)
        try:
            api = sign_up(port)
            for start in range(0, TASKS, 100):
                api.expect(
                    201, "POST", "/api/tasks/batch", {"tasks": [{"title": f"task {start + i}"} for i in range(100)]}
                )
            print(f"(a) GET {PAGE}: 200 from the cache against 304, {args.requests} each per round", flush=True)
            rounds = revalidation(api, database, cache, prefix, args.requests, args.rounds)
            reader = Api(port, api.token)
            print(
                f"(b) activity latency over {args.writes} writes, polled every {POLL_SECONDS * 1000:.0f} ms", flush=True
            )
            task_id, visible, answered = activity_latency(api, reader, database, args.writes)
            total, prompt = published_by_the_writes(database, task_id)
        except LoadError as exc:
            print(f"benchmark failed: {exc}", file=sys.stderr)
            return 1
        finally:
            stop(process)
            keys = list(cache.scan_iter(match=f"{prefix}*", count=1000))
            if keys:
                cache.delete(*keys)

    hit_p50 = [statistics.median(r.hit) * 1000 for r in rounds]
    nm_p50 = [statistics.median(r.not_modified) * 1000 for r in rounds]
    hit_p99 = [percentile(r.hit, 0.99) * 1000 for r in rounds]
    nm_p99 = [percentile(r.not_modified, 0.99) * 1000 for r in rounds]
    print()
    print(f"machine at the end: {machine()}")
    print("(a) 200 (cache hit) ÷ 304, median of the rounds (min-max):")
    print(f"    p50 ratio {spread([r.ratio(0.5) for r in rounds])}: {spread(hit_p50)} ms against {spread(nm_p50)} ms")
    print(f"    p99 ratio {spread([r.ratio(0.99) for r in rounds])}: {spread(hit_p99)} ms against {spread(nm_p99)} ms")
    print(f"(b) change → feed over {len(visible)} writes:")
    print(
        f"    p50 {percentile(visible, 0.5) * 1000:.1f} ms, p99 {percentile(visible, 0.99) * 1000:.1f} ms,"
        f" max {max(visible) * 1000:.1f} ms"
    )
    print(
        f"    the write's own answer: p50 {percentile(answered, 0.5) * 1000:.1f} ms,"
        f" p99 {percentile(answered, 0.99) * 1000:.1f} ms"
    )
    print(f"    {prompt} of {total} published within 2 s of being written (by the write itself, not the relay)")
    return 0 if prompt == total else 1


if __name__ == "__main__":
    sys.exit(main())
