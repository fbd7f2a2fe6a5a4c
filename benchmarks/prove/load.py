"""The whole local stack under a mixed workload of simulated users (locust); fails on any 5xx.

Starts `python -m functions.devserver` on a free port with a database of its own on the
local PostgreSQL (created here, dropped at the end), a Redis key prefix of its own on
127.0.0.1:6379 db 13 (its keys deleted at the end) and the API rate limit set far above
what the run can reach. Every simulated user (a locust FastHttpUser) registers and logs in
first, then runs a closed loop (the next request as soon as the answer is in) on one
keep-alive connection: 70% reads (GET /api/tasks with filters, GET /api/tasks/{id},
GET /api/stats) and 30% writes (POST /api/tasks, PATCH /api/tasks/{id} with If-Match, DELETE).

The run steps through the load levels (10 and 25 users for --level-seconds each, then
--users for --seconds), prints count, p50, p99 and errors per endpoint and level (locust's
statistics), and plots p50 and p99 against the number of users. Exit 1 when any request
failed: a 5xx, a transport error, or any other status than the one the request expects.

With --redis-fault the stack gets a redis-server of its own on a free port instead, which
is killed (SIGKILL) --fault-at seconds into the last level and started again, empty, on the
same port --down-seconds later (--fault-cycles times, --up-seconds apart). Latency is then
also reported per window (warm-up, before, while Redis is down, after the restart; pooled
over the cycles), per --bin-seconds and inside the stack (the handlers' durations from its
log), with the after ÷ before ratio; a request that fails because of it fails the run.

    .venv/bin/python benchmarks/prove/load.py --seconds 30
    .venv/bin/python benchmarks/prove/load.py --seconds 60 --levels '' --redis-fault
    .venv/bin/python benchmarks/prove/load.py --users 10 --seconds 70 --levels '' --redis-fault \
        --fault-at 10 --fault-cycles 5 --down-seconds 6
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

import gevent
import gevent.pool

# Importing locust monkey-patches the standard library with gevent (sockets, ssl, time, threading,
# subprocess) before the clients below are imported: everything in this script, the stack's
# subprocess and the sign-ups included, runs on gevent's loop.
import locust
import psutil
import psycopg
import redis
import requests
from locust import FastHttpUser, constant, task
from locust.env import Environment
from locust.exception import StopUser
from locust.runners import LocalRunner
from locust.stats import RequestStats, StatsEntry
from psycopg import sql

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

from tests.support.processes import free_port, stop, wait_until_ready  # noqa: E402
from tests.support.redis_server import RedisServer  # noqa: E402

ADMIN_URL = os.environ.get("PROVE_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
SHARED_REDIS_URL = "redis://127.0.0.1:6379/13"
PASSWORD = "a long enough password"
CLIENT_TIMEOUT = 30.0

# (operation, weight): 70% reads, 30% writes. The order is the tables' order.
MIX = [
    ("GET /api/tasks", 30),
    ("GET /api/tasks/{id}", 25),
    ("GET /api/stats", 15),
    ("POST /api/tasks", 15),
    ("PATCH /api/tasks/{id}", 10),
    ("DELETE /api/tasks/{id}", 5),
]
WEIGHTS = dict(MIX)
FILTERS = [
    "",
    "?completed=false",
    "?completed=true&limit=20",
    "?priority=1",
    "?sort=due_date&order=asc",
    "?sort=priority&order=desc&limit=10",
    "?q=load",
    "?due_before=2031-01-01T00:00:00Z",
    "?due_after=2024-01-01T00:00:00Z&sort=created_at&order=asc",
]
PRIORITIES = [1, 2, 3]
# A request as the functions log it when they have served it: UTC time, the handler's own duration.
SERVED_LOGGED = re.compile(
    r'"message":"request served","timestamp":"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\+0000)"'
    r'[^{}\n]*?"duration_ms":([\d.]+)'
)
# A failed Redis call as functions/platform/cache.py logs it (the stack logs with a local-time asctime).
FAILURE_LOGGED = re.compile(
    r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) WARNING functions\.taskforge\.cache "
    r"redis \S+ failed, carrying on without it"
)


@dataclass
class Account:
    """A registered user: its token, the tasks it owns (id -> ETag) and its own random sequence."""

    email: str
    token: str
    rng: random.Random
    tasks: dict[str, str] = field(default_factory=dict)


def pooled(window: str) -> str:
    """The window that pools every cycle's window of a kind: 'down 2' -> 'down (all)'."""
    kind, _, cycle = window.partition(" ")
    return f"{kind} (all)" if cycle.isdigit() else window


class Ledger:
    """Sees every request locust reports: counts failures by kind and, when windows are
    marked (a staged fault), keeps locust statistics per window and per time bin."""

    def __init__(self, bin_seconds: float = 5.0) -> None:
        self.bin_seconds = bin_seconds
        self.reset()

    def reset(self) -> None:
        self.server_errors = 0  # 5xx or no HTTP answer at all
        self.unexpected = 0  # any other status than the expected one
        self.samples: list[str] = []
        self.marks: list[tuple[float, str]] = []  # (epoch seconds, window starting then), in order
        self.windows: dict[str, RequestStats] = {}
        self.bins: dict[int, RequestStats] = {}
        self.bin_windows: dict[int, list[str]] = {}

    def mark(self, window: str) -> float:
        now = time.time()
        self.marks.append((now, window))
        return now

    def window_at(self, moment: float) -> str | None:
        current = None
        for started, window in self.marks:
            if moment >= started:
                current = window
        return current

    def on_request(
        self,
        request_type: str,
        name: str,
        response_time: float,
        response_length: int,
        response: Any = None,
        exception: Exception | None = None,
        start_time: float | None = None,
        **_: Any,
    ) -> None:
        if exception is not None:
            status = getattr(response, "status_code", None)
            if not status or status >= 500:
                self.server_errors += 1
            else:
                self.unexpected += 1
            if len(self.samples) < 10:
                self.samples.append(f"{name}: {exception}"[:400])
        window = self.window_at(start_time) if self.marks and start_time is not None else None
        if window in (None, "end") or start_time is None:
            return
        number = int((start_time - self.marks[0][0]) // self.bin_seconds)
        if window not in self.bin_windows.setdefault(number, []):
            self.bin_windows[number].append(window)
        every = [
            self.windows.setdefault(key, RequestStats(use_response_times_cache=False))
            for key in dict.fromkeys([window, pooled(window)])
        ]
        for stats in [*every, self.bins.setdefault(number, RequestStats(use_response_times_cache=False))]:
            stats.log_request(request_type, name, round(response_time), response_length)
            if exception is not None:
                stats.log_error(request_type, name, exception)


class TaskForgeUser(FastHttpUser):
    """One simulated user: a closed loop on one keep-alive connection, 70% reads, 30% writes.

    Each user takes a registered account from `accounts` when it starts and gives it back
    when it stops, so the levels reuse the same accounts and their tasks.
    """

    wait_time = constant(0)
    network_timeout = CLIENT_TIMEOUT
    connection_timeout = CLIENT_TIMEOUT
    concurrency = 1
    accounts: ClassVar[list[Account]] = []
    max_requests: ClassVar[int] = 100_000

    def on_start(self) -> None:
        self.account = self.accounts.pop(0)
        self.sent = 0

    def on_stop(self) -> None:
        self.accounts.append(self.account)

    def call(
        self,
        method: str,
        path: str,
        name: str,
        expected: int,
        body: object | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any | None:
        """Sends one request, counted as failed unless it answers `expected`; the response when it did."""
        self.sent += 1
        if self.sent > self.max_requests:
            raise StopUser
        all_headers = {
            "Authorization": f"Bearer {self.account.token}",
            "Accept": "application/json",
            "Accept-Encoding": "identity",
            **(headers or {}),
        }
        with self.client.request(
            method, path, name=name, json=body, headers=all_headers, catch_response=True
        ) as response:
            if response.status_code == expected:
                response.success()
                return response
            detail = (response.content or b"").decode(errors="replace")[:300] or repr(response.error)
            response.failure(f"{response.status_code} (expected {expected}) {detail}")
            return None

    def some_task(self) -> str | None:
        tasks = self.account.tasks
        return self.account.rng.choice(list(tasks)) if tasks else None

    @task(WEIGHTS["GET /api/tasks"])
    def list_tasks(self) -> None:
        self.call("GET", "/api/tasks" + self.account.rng.choice(FILTERS), "GET /api/tasks", 200)

    @task(WEIGHTS["GET /api/tasks/{id}"])
    def get_task(self) -> None:
        task_id = self.some_task()
        if task_id is None:
            self.create_task()
            return
        response = self.call("GET", f"/api/tasks/{task_id}", "GET /api/tasks/{id}", 200)
        if response is not None:
            self.account.tasks[task_id] = response.headers.get("etag", self.account.tasks[task_id])

    @task(WEIGHTS["GET /api/stats"])
    def stats(self) -> None:
        self.call("GET", "/api/stats", "GET /api/stats", 200)

    @task(WEIGHTS["POST /api/tasks"])
    def create_task(self) -> None:
        rng = self.account.rng
        body: dict[str, object] = {"title": f"load task {rng.randrange(1_000_000)}", "priority": rng.choice(PRIORITIES)}
        if rng.random() < 0.5:
            body["due_date"] = f"2030-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T09:00:00Z"
        if rng.random() < 0.3:
            body["description"] = "made by the load generator"
        response = self.call("POST", "/api/tasks", "POST /api/tasks", 201, body)
        if response is not None:
            self.account.tasks[response.json()["id"]] = response.headers.get("etag", "*")

    @task(WEIGHTS["PATCH /api/tasks/{id}"])
    def patch_task(self) -> None:
        task_id = self.some_task()
        if task_id is None:
            self.create_task()
            return
        rng = self.account.rng
        patch = rng.choice(
            [
                {"completed": rng.random() < 0.5},
                {"priority": rng.choice(PRIORITIES)},
                {"title": f"load renamed {rng.randrange(1000)}"},
            ]
        )
        response = self.call(
            "PATCH",
            f"/api/tasks/{task_id}",
            "PATCH /api/tasks/{id}",
            200,
            patch,
            {"If-Match": self.account.tasks[task_id]},
        )
        if response is not None:
            self.account.tasks[task_id] = response.headers.get("etag", "*")

    @task(WEIGHTS["DELETE /api/tasks/{id}"])
    def delete_task(self) -> None:
        task_id = self.some_task()
        if task_id is None:
            self.create_task()
            return
        response = self.call(
            "DELETE",
            f"/api/tasks/{task_id}",
            "DELETE /api/tasks/{id}",
            204,
            None,
            {"If-Match": self.account.tasks[task_id]},
        )
        if response is not None:
            del self.account.tasks[task_id]


def sign_up(base_url: str, index: int, run_id: str) -> Account:
    email = f"load-{run_id}-{index}@example.com"
    with requests.Session() as session:
        registered = session.post(
            f"{base_url}/api/auth/register", json={"email": email, "password": PASSWORD}, timeout=CLIENT_TIMEOUT
        )
        if registered.status_code != 201:
            raise RuntimeError(f"register {email}: {registered.status_code} {registered.text[:300]}")
        login = session.post(
            f"{base_url}/api/auth/login", json={"email": email, "password": PASSWORD}, timeout=CLIENT_TIMEOUT
        )
        if login.status_code != 200:
            raise RuntimeError(f"login {email}: {login.status_code} {login.text[:300]}")
    return Account(email, login.json()["access_token"], random.Random(index))


def ms(value: float) -> str:
    return f"{value:.0f}"


def entry_row(label: str, entry: StatsEntry) -> str:
    return (
        f"| {label} | {entry.num_requests} | {ms(entry.get_response_time_percentile(0.5))} | "
        f"{ms(entry.get_response_time_percentile(0.99))} | {entry.num_failures} |"
    )


def report(
    level: int, stats: RequestStats, elapsed: float, cpu_warning: bool, cpu: str
) -> tuple[str, dict[str, float]]:
    total = stats.total
    lines = [
        f"### {level} users, {elapsed:.1f} s, {total.num_requests} requests, {total.num_requests / elapsed:.0f} req/s",
        "",
        cpu + ("; the generator went above locust's 90% CPU warning" if cpu_warning else ""),
        "",
        "| endpoint | count | p50 ms | p99 ms | errors |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for endpoint, _ in MIX:
        entry = stats.entries.get((endpoint, endpoint.split()[0]))
        if entry is not None and entry.num_requests:
            lines.append(entry_row(f"`{endpoint}`", entry))
    lines.append(entry_row("all", total))
    summary = {
        "users": level,
        "rate": total.num_requests / elapsed,
        "p50": total.get_response_time_percentile(0.5),
        "p99": total.get_response_time_percentile(0.99),
        "errors": total.num_failures,
    }
    return "\n".join(lines), summary


def window_report(ledger: Ledger, ended: float) -> tuple[str, dict[str, float]]:
    """Latency per fault window (and per kind of window, over every cycle) and per time bin,
    from the locust statistics the ledger kept."""
    origin = ledger.marks[0][0]
    timed = [
        (window, started, until)
        for (started, window), (until, _) in zip(ledger.marks, [*ledger.marks[1:], (ended, "")], strict=True)
        if window != "end"
    ]
    spans = {window: (started - origin, until - origin) for window, started, until in timed}
    lengths = {window: until - started for window, started, until in timed}
    for window, started, until in timed:
        if pooled(window) != window:
            lengths[pooled(window)] = lengths.get(pooled(window), 0.0) + until - started
    names = list(dict.fromkeys([*lengths]))
    lines = [
        "| window | from s | to s | requests | req/s | p50 ms | p99 ms | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in names:
        total = ledger.windows.get(name, RequestStats()).total
        span = f"{spans[name][0]:.1f} | {spans[name][1]:.1f}" if name in spans else " | "
        lines.append(
            f"| {name} | {span} | {total.num_requests} | "
            f"{total.num_requests / max(lengths[name], 1e-9):.0f} | "
            f"{ms(total.get_response_time_percentile(0.5))} | "
            f"{ms(total.get_response_time_percentile(0.99))} | {total.num_failures} |"
        )
    down, after = ("down (all)", "after (all)") if "after (all)" in lengths else ("down", "after")
    before_total, after_total = ledger.windows["before"].total, ledger.windows[after].total
    ratios = {
        "p50": after_total.get_response_time_percentile(0.5) / max(before_total.get_response_time_percentile(0.5), 1),
        "p99": after_total.get_response_time_percentile(0.99) / max(before_total.get_response_time_percentile(0.99), 1),
    }
    columns = ["warm-up", "before", down, after]
    lines += [
        "",
        f"{after} ÷ before: p50 {ratios['p50']:.2f}, p99 {ratios['p99']:.2f}",
        "",
        "| endpoint | " + " | ".join(f"{name} p50 / p99 ms" for name in columns) + " |",
        "| --- |" + " ---: |" * len(columns),
    ]
    for endpoint, _ in MIX:
        cells = []
        for name in columns:
            entry = ledger.windows.get(name, RequestStats()).entries.get((endpoint, endpoint.split()[0]))
            cells.append(
                f"{ms(entry.get_response_time_percentile(0.5))} / {ms(entry.get_response_time_percentile(0.99))}"
                if entry and entry.num_requests
                else "-"
            )
        lines.append(f"| `{endpoint}` | " + " | ".join(cells) + " |")
    lines += [
        "",
        f"Per {ledger.bin_seconds:g} s (by the time each request was sent):",
        "",
        "| t s | window | requests | p50 ms | p99 ms | errors |",
        "| ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    for number in sorted(ledger.bins):
        total = ledger.bins[number].total
        lines.append(
            f"| {number * ledger.bin_seconds:g} | {', '.join(ledger.bin_windows[number])} | "
            f"{total.num_requests} | "
            f"{ms(total.get_response_time_percentile(0.5))} | "
            f"{ms(total.get_response_time_percentile(0.99))} | {total.num_failures} |"
        )
    return "\n".join(lines), ratios


def handler_report(ledger: Ledger, log_path: Path) -> str:
    """The handlers' own durations per window, from the stack's log: the time spent in the
    function, without the queueing in front of it that a saturated closed loop adds."""
    marks = [(started, window) for started, window in ledger.marks]
    durations: dict[str, list[float]] = {window: [] for _, window in marks if window != "end"}
    for found in SERVED_LOGGED.finditer(log_path.read_text(errors="replace")):
        duration = float(found.group(2))
        logged = datetime.strptime(found.group(1), "%Y-%m-%d %H:%M:%S,%f%z").timestamp()
        window = ledger.window_at(logged - duration / 1000)
        if window in durations:
            durations[window].append(duration)
            if pooled(window) != window:
                durations.setdefault(pooled(window), []).append(duration)
    lines = ["| window | handled | handler p50 ms | handler p99 ms |", "| --- | ---: | ---: | ---: |"]
    for window, values in durations.items():
        if len(values) > 1:
            cuts = statistics.quantiles(values, n=100, method="inclusive")
            lines.append(f"| {window} | {len(values)} | {cuts[49]:.1f} | {cuts[98]:.1f} |")
    return "\n".join(lines)


def plot(summaries: list[dict[str, float]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    users = [s["users"] for s in summaries]
    figure, latency = plt.subplots(figsize=(7, 4.2))
    latency.plot(users, [s["p50"] for s in summaries], marker="o", label="p50")
    latency.plot(users, [s["p99"] for s in summaries], marker="o", label="p99")
    latency.set_xlabel("simulated users (locust FastHttpUser, closed loop, keep-alive)")
    latency.set_ylabel("latency, all endpoints (ms)")
    latency.set_xticks(users)
    latency.grid(alpha=0.3)
    rate = latency.twinx()
    rate.plot(users, [s["rate"] for s in summaries], marker="s", color="grey", linestyle="--", label="req/s")
    rate.set_ylabel("throughput (req/s)")
    lines = latency.get_legend_handles_labels()[0] + rate.get_legend_handles_labels()[0]
    labels = latency.get_legend_handles_labels()[1] + rate.get_legend_handles_labels()[1]
    latency.legend(lines, labels, loc="upper left")
    latency.set_title("TaskForge local stack, 70% reads / 30% writes")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


class RedisProcess(RedisServer):
    """A redis-server of the run's own on a free port, which the fault phase kills and restarts."""

    def usage(self, prefix: str) -> str:
        """What the stack keeps in this Redis and how the cache is used, from Redis's own counters.

        The cache reads with GET and nothing else of the stack does under this load (the
        rate limit uses INCR, EXPIRE and TTL), so GET calls are cache lookups and every
        keyspace miss is a cache miss."""
        client = self.client()
        cached = sum(1 for _ in client.scan_iter(match=prefix + "c:*", count=1000))
        counters = sum(1 for _ in client.scan_iter(match=prefix + "rl:*", count=1000))
        stats, commands = client.info("stats"), client.info("commandstats")
        lookups = commands.get("cmdstat_get", {}).get("calls", 0)
        misses = stats["keyspace_misses"]
        return (
            f"{cached} cache entries and {counters} rate-limit counters under the prefix; "
            f"{lookups} cache lookups, {lookups - misses} hits, {misses} misses; "
            f"{stats['total_commands_processed']} commands"
        )


@contextmanager
def own_database(run_id: str) -> Iterator[str]:
    name = f"tf_prove_load_{run_id}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield psycopg.conninfo.make_conninfo(ADMIN_URL, dbname=name)
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextmanager
def own_redis(run_id: str, data_dir: Path, private: bool) -> Iterator[tuple[str, str, RedisProcess | None]]:
    """(REDIS_URL, key prefix, the private redis-server or None): a private server, or the
    shared one with the run's keys deleted at the end."""
    prefix = f"tf-prove-load-{run_id}:"
    if private:
        server = RedisProcess(data_dir)
        server.start()
        try:
            yield server.url, prefix, server
        finally:
            server.close()
        return
    try:
        yield SHARED_REDIS_URL, prefix, None
    finally:
        client = redis.Redis.from_url(SHARED_REDIS_URL)
        keys = list(client.scan_iter(match=prefix + "*", count=1000))
        for start in range(0, len(keys), 500):
            client.delete(*keys[start : start + 500])


@contextmanager
def local_stack(
    database_url: str, redis_url: str, prefix: str, workers: int, data_dir: Path
) -> Iterator[tuple[str, int]]:
    """The stack on a free port: its base URL and the process id of its gateway."""
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "PYTHONPATH": str(REPO_ROOT),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "REDIS_KEY_PREFIX": prefix,
        "WORKERS": str(workers),
        "API_RATE_LIMIT_PER_MINUTE": "100000000",
        "DEVDATA_DIR": str(data_dir),
        "WEB_DIST_DIR": str(data_dir / "no-web"),
    }
    env.pop("JWT_PRIVATE_KEY", None)  # the stack makes a key of its own in DEVDATA_DIR
    log_path = data_dir / "devserver.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "functions.devserver"], cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        try:
            wait_until_ready(f"http://127.0.0.1:{port}/__runtime/ready", process, timeout=60)
        except (RuntimeError, TimeoutError) as exc:
            raise RuntimeError(f"{exc}\n{log_path.read_text(errors='replace')[-4000:]}") from None
        yield f"http://127.0.0.1:{port}", process.pid
    finally:
        stop(process)


@dataclass
class Fault:
    """Kill the private Redis `at` seconds into the level and start it again `down` seconds
    later; `cycles` times, `up` seconds apart."""

    redis: RedisProcess
    prefix: str
    at: float
    down: float
    up: float
    cycles: int
    warm_up: float
    notes: list[str] = field(default_factory=list)

    def stage(self, ledger: Ledger, seconds: float) -> None:
        started = ledger.mark("warm-up")
        gevent.sleep(self.warm_up)
        ledger.mark("before")
        kill_at = started + self.at
        for cycle in range(1, self.cycles + 1):
            suffix = f" {cycle}" if self.cycles > 1 else ""
            gevent.sleep(max(0.0, kill_at - time.time()))
            if cycle == 1:
                self.notes.append(f"Redis before the kill: {self.redis.usage(self.prefix)}")
            killed = ledger.mark("down" + suffix)
            self.redis.kill()
            gevent.sleep(max(0.0, killed + self.down - time.time()))
            self.redis.start()
            back = ledger.mark("after" + suffix)
            self.notes.append(
                f"Redis killed (SIGKILL) at {killed - started:.1f} s, answering again at "
                f"{back - started:.1f} s (down {back - killed:.1f} s)"
            )
            kill_at = back + self.up
        gevent.sleep(max(0.0, started + seconds - time.time()))
        ledger.mark("end")  # requests sent from now on, while the users stop, are in no window
        self.notes.append(f"Redis at the end (counters since the last restart): {self.redis.usage(self.prefix)}")

    @staticmethod
    def failures_logged(ledger: Ledger, log_path: Path) -> str:
        """The stack's 'carrying on without it' warnings per window: each one opened a
        function's circuit breaker in one worker process for 2 s."""
        counts: dict[str, int] = {}
        for found in FAILURE_LOGGED.finditer(log_path.read_text(errors="replace")):
            window = ledger.window_at(datetime.strptime(found.group(1), "%Y-%m-%d %H:%M:%S,%f").timestamp())
            counts[str(window)] = counts.get(str(window), 0) + 1
        per_window = ", ".join(f"{window} {counts.get(window, 0)}" for _, window in ledger.marks if window != "end")
        return (
            f"Redis failures in the stack's log per window: {per_window} (each opens one function's "
            f"circuit breaker in one worker process for 2 s)"
        )


class CpuUse:
    """CPU time spent during a level, in cores: by the stack (gateway, workers and their helper
    processes), by this generator, and by everything on the machine (other work included)."""

    def __init__(self, stack_pid: int) -> None:
        self.stack, self.generator = psutil.Process(stack_pid), psutil.Process()
        self.started = time.monotonic()
        self.stack_start = self.stack_seconds()
        self.generator_start = self.seconds(self.generator)
        self.machine_start = self.machine_seconds()

    @staticmethod
    def seconds(process: psutil.Process) -> float:
        times = process.cpu_times()
        return float(times.user + times.system)

    def stack_seconds(self) -> dict[int, float]:
        spent = {}
        for process in [self.stack, *self.stack.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):  # a process that has just exited
                spent[process.pid] = self.seconds(process)
        return spent

    @staticmethod
    def machine_seconds() -> float:
        times = psutil.cpu_times()
        return float(sum(times) - times.idle - getattr(times, "iowait", 0.0))

    def summary(self) -> str:
        elapsed = time.monotonic() - self.started
        now = self.stack_seconds()
        stack = sum(spent - self.stack_start.get(pid, 0.0) for pid, spent in now.items())
        generator = self.seconds(self.generator) - self.generator_start
        machine = self.machine_seconds() - self.machine_start
        return (
            f"CPU in cores: stack {stack / elapsed:.2f}, generator {generator / elapsed:.2f}, "
            f"whole machine {machine / elapsed:.2f} of {psutil.cpu_count()}"
        )


def run_level(
    runner: LocalRunner, ledger: Ledger, users: int, seconds: float, fault: Fault | None, stack_pid: int
) -> tuple[RequestStats, float, bool, str]:
    """`users` users for `seconds`; locust's statistics of the level, its duration, whether
    the generator's CPU went above locust's warning threshold, the CPU each part used."""
    ledger.reset()
    cpu = CpuUse(stack_pid)
    started = time.monotonic()
    runner.start(users, spawn_rate=users)  # all users within about a second
    if fault is None:
        gevent.sleep(seconds)  # the level's duration
    else:
        fault.stage(ledger, seconds)
    runner.stop()  # lets every user finish the request it is in (stop_timeout)
    return runner.stats, time.monotonic() - started, runner.cpu_warning_emitted, cpu.summary()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="duration at --users (default 60)")
    parser.add_argument("--users", type=int, default=50, help="simulated users of the main run (default 50)")
    parser.add_argument("--levels", default="10,25", help="smaller levels run first, for the plot ('' for none)")
    parser.add_argument("--level-seconds", type=float, default=10.0, help="duration of each smaller level")
    parser.add_argument("--max-requests", type=int, default=100_000, help="per user and level, a second bound")
    parser.add_argument("--workers", type=int, default=3, help="gateway worker processes (WORKERS)")
    parser.add_argument("--plot", type=Path, default=Path(__file__).with_name("latency.png"))
    parser.add_argument(
        "--redis-fault", action="store_true", help="a private redis-server, killed and restarted during the last level"
    )
    parser.add_argument("--fault-at", type=float, help="seconds into the last level (default 30%% of --seconds)")
    parser.add_argument("--down-seconds", type=float, help="how long Redis stays down (default 25%% of --seconds)")
    parser.add_argument("--fault-cycles", type=int, default=1, help="kill and restart Redis this many times")
    parser.add_argument("--up-seconds", type=float, help="between a restart and the next kill (default --down-seconds)")
    parser.add_argument("--bin-seconds", type=float, default=5.0, help="time bins of the fault report")
    parser.add_argument("--keep-log", type=Path, help="copy the stack's log (one line per request) here")
    args = parser.parse_args()
    levels = sorted({int(v) for v in args.levels.split(",") if v.strip() and int(v) < args.users})
    fault_at = args.seconds * 0.3 if args.fault_at is None else args.fault_at
    down_seconds = args.seconds * 0.25 if args.down_seconds is None else args.down_seconds
    up_seconds = down_seconds if args.up_seconds is None else args.up_seconds
    outages = args.fault_cycles * down_seconds + (args.fault_cycles - 1) * up_seconds
    if args.redis_fault and not (args.fault_cycles >= 1 and 0 < fault_at < fault_at + outages < args.seconds):
        parser.error(
            "--fault-at, --fault-cycles, --down-seconds and --up-seconds must leave time before and after the outages"
        )

    run_id = uuid.uuid4().hex[:10]
    summaries: list[dict[str, float]] = []
    ledger = Ledger(args.bin_seconds)
    server_errors = unexpected = 0
    ratios: dict[str, float] = {}
    print(
        f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; "
        f"stack WORKERS={args.workers}; generator: locust {locust.__version__} FastHttpUser, "
        f"one greenlet and keep-alive connection per user, in one process",
        flush=True,
    )
    with (
        tempfile.TemporaryDirectory(prefix="tf-prove-load-") as tmp,
        own_database(run_id) as database_url,
        own_redis(run_id, Path(tmp), args.redis_fault) as (redis_url, prefix, private_redis),
        local_stack(database_url, redis_url, prefix, args.workers, Path(tmp)) as (base_url, stack_pid),
    ):
        started = time.monotonic()
        # Sign-ups hash passwords (deliberately slow): ten at a time.
        try:
            accounts = gevent.pool.Pool(10).map(lambda index: sign_up(base_url, index, run_id), range(args.users))
        except (RuntimeError, requests.RequestException) as exc:
            print(f"sign-up failed: {exc}", file=sys.stderr)
            return 1
        print(f"{args.users} users registered and logged in in {time.monotonic() - started:.1f} s\n", flush=True)

        TaskForgeUser.accounts = list(accounts)
        TaskForgeUser.max_requests = args.max_requests
        environment = Environment(user_classes=[TaskForgeUser], host=base_url, stop_timeout=CLIENT_TIMEOUT + 5)
        environment.events.request.add_listener(ledger.on_request)  # type: ignore[no-untyped-call]
        runner = environment.create_local_runner()
        try:
            for level, seconds in [*((n, args.level_seconds) for n in levels), (args.users, args.seconds)]:
                fault = None
                if args.redis_fault and level == args.users:
                    assert private_redis is not None
                    fault = Fault(
                        private_redis,
                        prefix,
                        fault_at,
                        down_seconds,
                        up_seconds,
                        args.fault_cycles,
                        min(5.0, fault_at / 2),
                    )
                stats, elapsed, cpu_warning, cpu = run_level(runner, ledger, level, seconds, fault, stack_pid)
                table, summary = report(level, stats, elapsed, cpu_warning, cpu)
                print(table + "\n", flush=True)
                summaries.append(summary)
                server_errors += ledger.server_errors
                unexpected += ledger.unexpected
                if fault is not None:
                    windows, ratios = window_report(ledger, time.time())
                    print("\n".join(fault.notes) + "\n\n" + windows + "\n", flush=True)
                    print(
                        "Inside the stack (its log):\n\n"
                        + handler_report(ledger, Path(tmp) / "devserver.log")
                        + "\n\n"
                        + fault.failures_logged(ledger, Path(tmp) / "devserver.log")
                        + "\n",
                        flush=True,
                    )
                if summary["errors"]:
                    print(
                        f"{summary['errors']:.0f} failed requests ({ledger.server_errors} 5xx or transport "
                        f"errors), e.g.:\n  " + "\n  ".join(ledger.samples),
                        file=sys.stderr,
                    )
        finally:
            runner.quit()
            if args.keep_log:
                shutil.copyfile(Path(tmp) / "devserver.log", args.keep_log)

    if len(summaries) > 1 and args.plot:
        plot(summaries, args.plot)
        print(f"plot: {args.plot}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    print(
        f"5xx or transport errors: {server_errors}; other unexpected statuses: {unexpected}"
        + (f"; after the Redis restart ÷ before: p50 {ratios['p50']:.2f}, p99 {ratios['p99']:.2f}" if ratios else "")
    )
    return 1 if server_errors or unexpected or any(s["errors"] for s in summaries) else 0


if __name__ == "__main__":
    sys.exit(main())
