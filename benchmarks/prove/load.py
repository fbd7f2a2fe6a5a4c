"""The whole local stack under a mixed workload of simulated users; fails on any 5xx.

Starts `python -m functions.devserver` on a free port with a database of its own on the
local PostgreSQL (created here, dropped at the end), a Redis key prefix of its own on
127.0.0.1:6379 db 13 (its keys deleted at the end) and the API rate limit set far above
what the run can reach. Every simulated user registers and logs in first, then runs a
closed loop (the next request as soon as the answer is in) on one keep-alive
connection: 70% reads (GET /api/tasks with filters, GET /api/tasks/{id}, GET /api/stats)
and 30% writes (POST /api/tasks, PATCH /api/tasks/{id} with If-Match, DELETE).

The run steps through the load levels (10 and 25 users for --level-seconds each, then
--users for --seconds), prints count, p50, p99 and errors per endpoint and level, and
plots p50 and p99 against the number of users. Exit 1 when any request failed: a 5xx,
a transport error, or any other status than the one the request expects.

    .venv/bin/python benchmarks/prove/load.py --seconds 30
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import redis
from psycopg import sql

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

from tests.support.processes import free_port, stop, wait_until_ready  # noqa: E402

ADMIN_URL = os.environ.get("PROVE_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = "redis://127.0.0.1:6379/13"
PASSWORD = "a long enough password"
CLIENT_TIMEOUT = 30.0

# (operation, weight): 70% reads, 30% writes.
MIX = [
    ("GET /api/tasks", 30),
    ("GET /api/tasks/{id}", 25),
    ("GET /api/stats", 15),
    ("POST /api/tasks", 15),
    ("PATCH /api/tasks/{id}", 10),
    ("DELETE /api/tasks/{id}", 5),
]
FILTERS = [
    "", "?completed=false", "?completed=true&limit=20", "?priority=1", "?sort=due_date&order=asc",
    "?sort=priority&order=desc&limit=10", "?q=load", "?due_before=2031-01-01T00:00:00Z",
    "?due_after=2024-01-01T00:00:00Z&sort=created_at&order=asc",
]
PRIORITIES = [1, 2, 3]


@dataclass
class Stats:
    """Latencies and failures per endpoint, shared by every user thread of one level."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    server_errors: int = 0
    samples: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, endpoint: str, seconds: float, status: int | None, expected: int, detail: str = "") -> None:
        with self.lock:
            self.latencies[endpoint].append(seconds)
            if status != expected:
                self.errors[endpoint] += 1
                if status is None or status >= 500:
                    self.server_errors += 1
                if len(self.samples) < 10:
                    self.samples.append(f"{endpoint}: {status} (expected {expected}) {detail[:300]}")


@dataclass
class User:
    token: str
    tasks: dict[str, str] = field(default_factory=dict)  # id -> ETag


class Client:
    """One keep-alive connection; reconnects only after a transport error (counted)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=CLIENT_TIMEOUT)

    def send(self, method: str, path: str, token: str | None, body: object | None = None,
             headers: dict[str, str] | None = None) -> tuple[int | None, dict[str, str], bytes, float]:
        all_headers = {"Accept": "application/json", **(headers or {})}
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=payload, headers=all_headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=CLIENT_TIMEOUT)
            return None, {}, repr(exc).encode(), time.perf_counter() - started
        elapsed = time.perf_counter() - started
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data, elapsed

    def close(self) -> None:
        self.conn.close()


def sign_up(port: int, index: int, run_id: str) -> User:
    client = Client(port)
    try:
        email = f"load-{run_id}-{index}@example.com"
        status, _, data, _ = client.send("POST", "/api/auth/register", None, {"email": email, "password": PASSWORD})
        if status != 201:
            raise RuntimeError(f"register {email}: {status} {data[:300]!r}")
        status, _, data, _ = client.send("POST", "/api/auth/login", None, {"email": email, "password": PASSWORD})
        if status != 200:
            raise RuntimeError(f"login {email}: {status} {data[:300]!r}")
        return User(json.loads(data)["access_token"])
    finally:
        client.close()


def new_task(rng: random.Random) -> dict[str, object]:
    task: dict[str, object] = {"title": f"load task {rng.randrange(1_000_000)}", "priority": rng.choice(PRIORITIES)}
    if rng.random() < 0.5:
        task["due_date"] = f"2030-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T09:00:00Z"
    if rng.random() < 0.3:
        task["description"] = "made by the load generator"
    return task


def run_user(port: int, user: User, stats: Stats, deadline: float, max_requests: int, seed: int) -> None:
    rng = random.Random(seed)
    operations, weights = zip(*MIX, strict=True)
    client = Client(port)
    try:
        for _ in range(max_requests):
            if time.monotonic() >= deadline:
                return
            operation = rng.choices(operations, weights)[0]
            if operation != "POST /api/tasks" and "{id}" in operation and not user.tasks:
                operation = "POST /api/tasks"
            task_id = rng.choice(list(user.tasks)) if user.tasks else ""
            if operation == "GET /api/tasks":
                status, _, data, took = client.send("GET", "/api/tasks" + rng.choice(FILTERS), user.token)
                stats.record(operation, took, status, 200, data.decode(errors="replace"))
            elif operation == "GET /api/tasks/{id}":
                status, headers, data, took = client.send("GET", f"/api/tasks/{task_id}", user.token)
                stats.record(operation, took, status, 200, data.decode(errors="replace"))
                if status == 200:
                    user.tasks[task_id] = headers.get("etag", user.tasks[task_id])
            elif operation == "GET /api/stats":
                status, _, data, took = client.send("GET", "/api/stats", user.token)
                stats.record(operation, took, status, 200, data.decode(errors="replace"))
            elif operation == "POST /api/tasks":
                status, headers, data, took = client.send("POST", "/api/tasks", user.token, new_task(rng))
                stats.record(operation, took, status, 201, data.decode(errors="replace"))
                if status == 201:
                    user.tasks[json.loads(data)["id"]] = headers.get("etag", "*")
            elif operation == "PATCH /api/tasks/{id}":
                patch = rng.choice([{"completed": rng.random() < 0.5}, {"priority": rng.choice(PRIORITIES)},
                                    {"title": f"load renamed {rng.randrange(1000)}"}])
                status, headers, data, took = client.send("PATCH", f"/api/tasks/{task_id}", user.token, patch,
                                                          {"If-Match": user.tasks[task_id]})
                stats.record(operation, took, status, 200, data.decode(errors="replace"))
                if status == 200:
                    user.tasks[task_id] = headers.get("etag", "*")
            else:
                status, _, data, took = client.send("DELETE", f"/api/tasks/{task_id}", user.token, None,
                                                    {"If-Match": user.tasks[task_id]})
                stats.record(operation, took, status, 204, data.decode(errors="replace"))
                if status == 204:
                    del user.tasks[task_id]
    finally:
        client.close()


def run_level(port: int, users: list[User], seconds: float, max_requests: int) -> tuple[Stats, float]:
    stats = Stats()
    started = time.monotonic()
    deadline = started + seconds
    threads = [threading.Thread(target=run_user, args=(port, user, stats, deadline, max_requests, index),
                                daemon=True) for index, user in enumerate(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + CLIENT_TIMEOUT + 10)
    return stats, time.monotonic() - started


def percentile(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q) - 1]


def report(level: int, stats: Stats, elapsed: float) -> tuple[str, dict[str, float]]:
    everything = [value for values in stats.latencies.values() for value in values]
    lines = [f"### {level} users, {elapsed:.1f} s, {len(everything)} requests, {len(everything) / elapsed:.0f} req/s",
             "", "| endpoint | count | p50 ms | p99 ms | errors |", "| --- | ---: | ---: | ---: | ---: |"]
    for endpoint, _ in MIX:
        values = stats.latencies.get(endpoint, [])
        if values:
            lines.append(f"| `{endpoint}` | {len(values)} | {percentile(values, 50) * 1000:.1f} | "
                         f"{percentile(values, 99) * 1000:.1f} | {stats.errors.get(endpoint, 0)} |")
    summary = {"users": level, "rate": len(everything) / elapsed, "p50": percentile(everything, 50) * 1000,
               "p99": percentile(everything, 99) * 1000, "errors": sum(stats.errors.values()),
               "server_errors": stats.server_errors}
    lines.append(f"| all | {len(everything)} | {summary['p50']:.1f} | {summary['p99']:.1f} | {summary['errors']} |")
    return "\n".join(lines), summary


def plot(summaries: list[dict[str, float]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    users = [s["users"] for s in summaries]
    figure, latency = plt.subplots(figsize=(7, 4.2))
    latency.plot(users, [s["p50"] for s in summaries], marker="o", label="p50")
    latency.plot(users, [s["p99"] for s in summaries], marker="o", label="p99")
    latency.set_xlabel("simulated users (closed loop, keep-alive)")
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
def own_redis_prefix(run_id: str) -> Iterator[str]:
    prefix = f"tf-prove-load-{run_id}:"
    try:
        yield prefix
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(match=prefix + "*", count=1000))
        for start in range(0, len(keys), 500):
            client.delete(*keys[start:start + 500])


@contextmanager
def local_stack(database_url: str, prefix: str, workers: int, data_dir: Path) -> Iterator[int]:
    port = free_port()
    env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1", "PYTHONPATH": str(REPO_ROOT),
           "DATABASE_URL": database_url, "REDIS_URL": REDIS_URL, "REDIS_KEY_PREFIX": prefix,
           "WORKERS": str(workers), "API_RATE_LIMIT_PER_MINUTE": "100000000",
           "DEVDATA_DIR": str(data_dir), "WEB_DIST_DIR": str(data_dir / "no-web")}
    env.pop("JWT_PRIVATE_KEY", None)  # the stack makes a key of its own in DEVDATA_DIR
    log_path = data_dir / "devserver.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "functions.devserver"], cwd=REPO_ROOT, env=env,
                                   stdout=log, stderr=subprocess.STDOUT)
    try:
        try:
            wait_until_ready(f"http://127.0.0.1:{port}/__runtime/ready", process, timeout=60)
        except (RuntimeError, TimeoutError) as exc:
            raise RuntimeError(f"{exc}\n{log_path.read_text(errors='replace')[-4000:]}") from None
        yield port
    finally:
        stop(process)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="duration at --users (default 60)")
    parser.add_argument("--users", type=int, default=50, help="simulated users of the main run (default 50)")
    parser.add_argument("--levels", default="10,25", help="smaller levels run first, for the plot ('' for none)")
    parser.add_argument("--level-seconds", type=float, default=10.0, help="duration of each smaller level")
    parser.add_argument("--max-requests", type=int, default=100_000, help="per user and level, a second bound")
    parser.add_argument("--workers", type=int, default=3, help="gateway worker processes (WORKERS)")
    parser.add_argument("--plot", type=Path, default=Path(__file__).with_name("latency.png"))
    args = parser.parse_args()
    levels = sorted({int(v) for v in args.levels.split(",") if v.strip() and int(v) < args.users})

    run_id = uuid.uuid4().hex[:10]
    summaries: list[dict[str, float]] = []
    failures: list[str] = []
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; "
          f"stack WORKERS={args.workers}; generator: python http.client, one thread and keep-alive "
          f"connection per user", flush=True)
    with tempfile.TemporaryDirectory(prefix="tf-prove-load-") as tmp, own_database(run_id) as database_url, \
            own_redis_prefix(run_id) as prefix, local_stack(database_url, prefix, args.workers, Path(tmp)) as port:
        started = time.monotonic()
        users: list[User] = [None] * args.users  # type: ignore[list-item]
        errors: list[BaseException] = []

        def make(index: int) -> None:
            try:
                users[index] = sign_up(port, index, run_id)
            except BaseException as exc:
                errors.append(exc)

        # Sign-ups hash passwords (deliberately slow): ten at a time.
        for batch in range(0, args.users, 10):
            threads = [threading.Thread(target=make, args=(i,)) for i in range(batch, min(batch + 10, args.users))]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(CLIENT_TIMEOUT * 2 + 5)
        if errors:
            print(f"sign-up failed: {errors[0]}", file=sys.stderr)
            return 1
        print(f"{args.users} users registered and logged in in {time.monotonic() - started:.1f} s\n", flush=True)

        for level, seconds in [*((n, args.level_seconds) for n in levels), (args.users, args.seconds)]:
            stats, elapsed = run_level(port, users[:level], seconds, args.max_requests)
            table, summary = report(level, stats, elapsed)
            print(table + "\n", flush=True)
            summaries.append(summary)
            failures += stats.samples
            if summary["errors"]:
                print(f"{summary['errors']:.0f} failed requests ({summary['server_errors']:.0f} 5xx or "
                      f"transport errors), e.g.:\n  " + "\n  ".join(stats.samples), file=sys.stderr)

    if len(summaries) > 1 and args.plot:
        plot(summaries, args.plot)
        print(f"plot: {args.plot}")
    server_errors = sum(s["server_errors"] for s in summaries)
    total_errors = sum(s["errors"] for s in summaries)
    print(f"5xx or transport errors: {server_errors:.0f}; "
          f"other unexpected statuses: {total_errors - server_errors:.0f}")
    return 1 if total_errors else 0


if __name__ == "__main__":
    sys.exit(main())
