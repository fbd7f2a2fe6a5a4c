"""TaskForge against the monolith it replaces, endpoint by endpoint, as ratios.

For each of GET /api/tasks?limit=50 (a cache hit), GET /api/tasks/{id} and POST /api/tasks:
throughput, TaskForge ÷ monolith (targets ≥ 1.0, 1.5 and 1.5), and p99 latency, TaskForge ÷
monolith (target ≤ 1.0 each); p50 is reported beside them. Plus a plot of throughput and
latency per endpoint for both (monolith_race.png).

TaskForge is `python -m functions.devserver` with WORKERS=3, as benchmarks/api.py starts it;
the monolith is the Flask app of this package under gunicorn with 3 sync workers. Both serve
one database created for the run (migrations applied, dropped at the end) on the same
PostgreSQL, and the same Redis with a key prefix each under the run's own (deleted at the
end). Users register and log in through TaskForge; the monolith verifies the same tokens with
the same public key. Each user's tasks are generated in SQL (api_data.py): --users users with
--tasks tasks each, in a table of 100 times --tasks rows (the rest belong to other users). Both
limit each user to API_RATE_LIMIT_PER_MINUTE=10^9 requests a minute: the load would otherwise
be throttled by either.

The load is closed-loop: --connections connections, one thread and one keep-alive connection
each, each connection a user of its own (connection i is user i mod --users), each sending its
next request as soon as the answer is in; a status other than the expected one fails the run.
gunicorn's sync workers close the connection after each response, so the client reconnects
for every request to the monolith, and that is in its latencies. A list run is all hits: each
user's page is stored before the run on the side measured, with a TTL longer than the run, and
no write happens during the list runs (checked: every workspace's generation is the same
after them). GET /api/tasks/{id} cycles through each user's tasks; POST /api/tasks creates
tasks (in each user's personal workspace).

Rounds alternate the two sides (TaskForge, monolith; monolith, TaskForge; ...), and each
round gives one ratio: the machine is shared and noisy, so the median of the ratios is
reported with their spread (min-max); absolute figures are medians, for context only.

    .venv/bin/python benchmarks/monolith.py [--seconds 5] [--rounds 6] [--users 16] [--tasks 1000] [--strict]

Prints the figures and exits 0; with --strict a missed target exits 1. A race that cannot run
(a server that does not start, a failed request, answers that differ) exits 1.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import api
import api_data
import psycopg
import redis
from api_load import Run
from load import LoadError
from runtime import PYTHON, Figure, Spec, spawn, stop, stop_all

from tests.support.processes import free_port

REPO = Path(__file__).resolve().parents[2]
PLOT = Path(__file__).resolve().parents[1] / "monolith_race.png"
GUNICORN = str(Path(PYTHON).parent / "gunicorn")
LIST_PATH = "/api/tasks?limit=50"
NEW_TASK = {"title": "race task", "description": "made by the race", "priority": 2, "due_date": "2030-01-02T09:00:00Z"}
UNLIMITED = str(10**9)
SIDES = ("TaskForge", "monolith")


# ---------------------------------------------------------------- the two servers


@dataclass(frozen=True)
class Server:
    name: str
    port: int
    prefix: str  # its Redis key prefix
    page_keys: Callable[[str], str]  # workspace id -> the pattern of its cached pages' keys


def start_monolith(database: str, prefix: str, public_key: str, workers: int, log_dir: Path) -> Server:
    spec = Spec(
        "monolith",
        [
            GUNICORN,
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--bind",
            "127.0.0.1:{port}",
            "--access-logfile",
            "-",  # a line per request, as TaskForge logs one
            "--no-control-socket",
            "benchmarks.monolith:create_app()",
        ],
        REPO,
        {
            "DATABASE_URL": api_data.database_url(database),
            "REDIS_URL": api.REDIS_URL,
            "REDIS_KEY_PREFIX": prefix,
            "JWT_PUBLIC_KEY": public_key,
            "API_RATE_LIMIT_PER_MINUTE": UNLIMITED,
        },
        ready_path="/health",
    )
    port = free_port()
    process = spawn(spec, port, log_dir)
    try:
        wait_ready(port, spec.ready_path, process, timeout=60)
    except Exception as exc:
        log = (log_dir / f"{spec.name}-{port}.log").read_text(errors="replace")[-3000:]
        stop(process)
        raise RuntimeError(f"the monolith did not start: {exc}\n--- its log ---\n{log}") from exc
    return Server("monolith", port, prefix, lambda scope: f"{prefix}page:{scope}:g*:tasks:*")


def wait_ready(port: int, path: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    """Polls until `path` answers 200; a worker still importing may leave a request unanswered
    for a while on a busy machine, which is no failure."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"exited with {process.returncode} before it was ready")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                return
        except (OSError, http.client.HTTPException):
            pass
        finally:
            connection.close()
        time.sleep(0.05)  # polling interval
    raise RuntimeError(f"GET {path} did not answer 200 within {timeout:g} s")


def public_key_of(private_pem: str) -> str:
    from cryptography.hazmat.primitives import serialization

    private = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


# ---------------------------------------------------------------- load


@dataclass(frozen=True)
class Calls:
    """What one connection sends, over and over: `paths` in turn."""

    method: str
    paths: list[str]
    headers: dict[str, str]
    expect: int
    body: bytes | None = None


def closed_loop(port: int, connections: list[Calls], seconds: float) -> Run:
    """One thread and one keep-alive connection per entry, requests back to back for `seconds`;
    only the HTTP exchange is timed (a reconnect, when the server closed the connection, included)."""
    start = threading.Barrier(len(connections) + 1)
    latencies: list[list[float]] = [[] for _ in connections]
    failures: list[str] = []
    deadline = 0.0

    def client(index: int) -> None:
        calls = connections[index]
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = latencies[index]
        headers = {**calls.headers, "Content-Type": "application/json"} if calls.body else calls.headers
        start.wait()
        try:
            turn = 0
            while time.perf_counter() < deadline:
                path = calls.paths[turn % len(calls.paths)]
                turn += 1
                began = time.perf_counter()
                connection.request(calls.method, path, body=calls.body, headers=headers)
                response = connection.getresponse()
                body = response.read()
                mine.append(time.perf_counter() - began)
                if response.status != calls.expect:
                    raise LoadError(f"{calls.method} {path}: status {response.status}: {body[:300]!r}")
        except Exception as exc:
            failures.append(f"{type(exc).__name__}: {exc}")
        finally:
            connection.close()

    workers = [threading.Thread(target=client, args=(index,), daemon=True) for index in range(len(connections))]
    for worker in workers:
        worker.start()
    began = time.perf_counter()
    deadline = began + seconds
    start.wait()
    for worker in workers:
        worker.join(seconds + 60)
    elapsed = time.perf_counter() - began
    if failures:
        raise LoadError(f"{len(failures)} connection(s) failed, first: {failures[0]}")
    return Run([value for values in latencies for value in values], elapsed)


# ---------------------------------------------------------------- users and their data


@dataclass
class User:
    email: str
    user_id: str
    scope: str  # the personal workspace: where the list reads and the POSTs write
    task_ids: list[str] = field(default_factory=list)
    token: str = ""

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def log_in(stack: api.Stack, users: list[User]) -> None:
    """Fresh access tokens (they live 15 minutes), through TaskForge's login."""
    for user in users:
        status, body = api.call(stack.port, "POST", "/api/auth/login", {"email": user.email, "password": api.PASSWORD})
        if status != 200:
            raise RuntimeError(f"login {user.email}: {status} {body}")
        user.token = body["access_token"]


def make_users(stack: api.Stack, database: str, count: int, tasks: int) -> tuple[list[User], api_data.Seeded]:
    emails = [f"racer-{index}@example.com" for index in range(1, count + 1)]
    ids = [api.register(stack, email) for email in emails]
    deep = api.register(stack, "others@example.com")  # owns the rows that are not the racers'
    seeded = api_data.seed_tasks(database, tasks * 100, deep, ids, tasks)
    users = [
        User(email, user_id, api_data.scope_of(database, user_id)) for email, user_id in zip(emails, ids, strict=True)
    ]
    with api_data.connect(database) as conn:
        for user in users:
            rows = conn.execute(
                "SELECT id::text AS id FROM tasks WHERE workspace_id = %s ORDER BY created_at DESC", (user.scope,)
            ).fetchall()
            user.task_ids = [row["id"] for row in rows]
    return users, seeded


def generations(database: str, users: list[User]) -> list[int]:
    with api_data.connect(database) as conn:
        return [api_data.generation(conn, user.scope) for user in users]


# ---------------------------------------------------------------- same answers


def comparable(value: Any) -> Any:
    """A response body without what differs by construction: the cursor's encoding is each server's own."""
    if isinstance(value, dict) and "next_cursor" in value:
        return {**value, "next_cursor": value["next_cursor"] is not None}
    return value


def check_same_answers(servers: dict[str, Server], user: User) -> None:
    """The two answer the same for the same data, before anything is measured."""
    paths = [LIST_PATH, f"/api/tasks/{user.task_ids[0]}", "/api/tasks?limit=3&sort=priority&order=asc"]
    for path in paths:
        answers = {name: api.call(server.port, "GET", path, headers=user.headers) for name, server in servers.items()}
        (a_status, a_body), (b_status, b_body) = answers.values()
        if a_status != 200 or (a_status, comparable(a_body)) != (b_status, comparable(b_body)):
            raise RuntimeError(f"GET {path}: the answers differ: {answers}")
    status, body = api.call(servers["monolith"].port, "GET", LIST_PATH, headers={"Authorization": "Bearer x.y.z"})
    if status != 401:
        raise RuntimeError(f"the monolith took a bad token: {status} {body}")


# ---------------------------------------------------------------- an endpoint's rounds


@dataclass
class Endpoint:
    label: str
    target_rate: float
    runs: dict[str, list[Run]] = field(default_factory=lambda: {side: [] for side in SIDES})

    def pairs(self, measure: Callable[[Run], float]) -> list[tuple[float, float]]:
        return [(measure(a), measure(b)) for a, b in zip(*self.runs.values(), strict=True)]

    def figures(self) -> list[Figure]:
        return [
            Figure(
                f"{self.label}: throughput, TaskForge ÷ monolith",
                "TaskForge",
                "monolith",
                "req/s",
                target=self.target_rate,
                at_least=True,
                pairs=self.pairs(lambda run: run.rate),
            ),
            Figure(
                f"{self.label}: p99 latency, TaskForge ÷ monolith",
                "TaskForge",
                "monolith",
                "ms",
                target=1.0,
                pairs=self.pairs(lambda run: run.p99 * 1000),
            ),
            Figure(
                f"{self.label}: p50 latency, TaskForge ÷ monolith",
                "TaskForge",
                "monolith",
                "ms",
                pairs=self.pairs(lambda run: run.p50 * 1000),
            ),
        ]

    def median(self, side: str, measure: Callable[[Run], float]) -> float:
        return statistics.median(measure(run) for run in self.runs[side])

    def spread(self, side: str, measure: Callable[[Run], float]) -> tuple[float, float]:
        values = [measure(run) for run in self.runs[side]]
        return min(values), max(values)


def race(
    endpoint: Endpoint,
    servers: dict[str, Server],
    connections: Callable[[], list[Calls]],
    seconds: float,
    rounds: int,
    before_run: Callable[[Server], None] = lambda server: None,
) -> Endpoint:
    print(f"\n{endpoint.label}", flush=True)
    for server in servers.values():  # warm-up: first requests, lazy imports, pools
        before_run(server)
        closed_loop(server.port, connections(), min(1.0, seconds))
    for round_ in range(rounds):
        order = list(SIDES) if round_ % 2 == 0 else list(reversed(SIDES))
        for side in order:
            before_run(servers[side])
            endpoint.runs[side].append(closed_loop(servers[side].port, connections(), seconds))
        parts = []
        for side in SIDES:
            run = endpoint.runs[side][-1]
            parts.append(f"{side} {run.rate:.0f} req/s p50 {run.p50 * 1000:.1f} p99 {run.p99 * 1000:.1f} ms")
        print(f"  round {round_ + 1}: " + " | ".join(parts), flush=True)
    return endpoint


class Pages:
    """Before each list run: every user's page stored on the side measured, with a TTL that
    outlasts the run, so every request of the run is a hit."""

    def __init__(self, client: redis.Redis, users: list[User], seconds: float) -> None:
        self.client = client
        self.users = users
        self.seconds = seconds

    def __call__(self, server: Server) -> None:
        for user in self.users:
            keys = list(self.client.scan_iter(match=server.page_keys(user.scope), count=1000))
            if any(0 <= self.client.ttl(key) < self.seconds + 10 for key in keys):
                self.client.delete(*keys)
            status, body = api.call(server.port, "GET", LIST_PATH, headers=user.headers)
            if status != 200:
                raise RuntimeError(f"{server.name} GET {LIST_PATH}: {status} {body}")
            if not list(self.client.scan_iter(match=server.page_keys(user.scope), count=1000)):
                raise RuntimeError(f"{server.name} stored no page for {user.email}")


# ---------------------------------------------------------------- report and plot


def ms(seconds: float) -> float:
    return seconds * 1000


def machine(client: redis.Redis) -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    with api_data.connect("postgres") as conn:
        row = conn.execute("SHOW server_version").fetchone()
    redis_version = client.info("server").get("redis_version", "?")
    return (
        f"machine: {os.cpu_count()} cores ({model}), Python {platform.python_version()}, "
        f"PostgreSQL {row['server_version'] if row else '?'}, Redis {redis_version}; load average "
        + "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    )


def table(endpoints: list[Endpoint]) -> str:
    """The figures as RESULTS.md shows them (markdown)."""
    lines = [
        "| endpoint | throughput TaskForge ÷ monolith | p99 TaskForge ÷ monolith | p50 TaskForge ÷ monolith "
        "| req/s TaskForge / monolith | p50 TaskForge / monolith | p99 TaskForge / monolith |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for endpoint in endpoints:
        rate, p99, p50 = endpoint.figures()

        def cell(figure: Figure) -> str:
            return f"{figure.ratio:.2f} ({min(figure.ratios):.2f}-{max(figure.ratios):.2f})"

        tf, mono = SIDES
        lines.append(
            f"| {endpoint.label} | {cell(rate)} | {cell(p99)} | {cell(p50)} "
            f"| {endpoint.median(tf, _rate):.0f} / {endpoint.median(mono, _rate):.0f} "
            f"| {ms(endpoint.median(tf, _p50)):.1f} / {ms(endpoint.median(mono, _p50)):.1f} ms "
            f"| {ms(endpoint.median(tf, _p99)):.1f} / {ms(endpoint.median(mono, _p99)):.1f} ms |"
        )
    return "\n".join(lines)


def _rate(run: Run) -> float:
    return run.rate


def _p50(run: Run) -> float:
    return run.p50


def _p99(run: Run) -> float:
    return run.p99


def plot(endpoints: list[Endpoint], path: Path, subtitle: str) -> str:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "no plot: matplotlib is not installed"
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.6))
    width = 0.38
    colours = {"TaskForge": "tab:blue", "monolith": "tab:orange"}
    x = list(range(len(endpoints)))
    for offset, side in zip((-width / 2, width / 2), SIDES, strict=True):
        positions = [value + offset for value in x]
        rates = [endpoint.median(side, _rate) for endpoint in endpoints]
        low = [rate - endpoint.spread(side, _rate)[0] for rate, endpoint in zip(rates, endpoints, strict=True)]
        high = [endpoint.spread(side, _rate)[1] - rate for rate, endpoint in zip(rates, endpoints, strict=True)]
        left.bar(positions, rates, width, yerr=[low, high], capsize=3, color=colours[side], label=side)
        p99 = [ms(endpoint.median(side, _p99)) for endpoint in endpoints]
        p50 = [ms(endpoint.median(side, _p50)) for endpoint in endpoints]
        right.bar(positions, p99, width, color=colours[side], alpha=0.45, label=f"{side} p99")
        right.bar(positions, p50, width, color=colours[side], label=f"{side} p50")
    labels = [endpoint.label.replace(" (cache hit)", "\n(cache hit)") for endpoint in endpoints]
    for axis in (left, right):
        axis.set_xticks(x, labels, fontsize=8)
        axis.grid(True, axis="y", alpha=0.3)
        axis.legend(fontsize=8)
    left.set_ylabel("requests per second (median of rounds, bars: min-max)")
    left.set_title("throughput")
    right.set_ylabel("latency, ms (median of rounds)")
    right.set_title("latency: p50 (solid) and p99 (light)")
    figure.suptitle(f"TaskForge vs the Flask monolith\n{subtitle}", fontsize=10)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return f"plot: {path}"


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=5.0, help="length of one run (default 5)")
    parser.add_argument("--rounds", type=int, default=6, help="rounds per endpoint, sides alternated (default 6)")
    parser.add_argument("--users", type=int, default=16, help="users, at most 20 (default 16)")
    parser.add_argument("--tasks", type=int, default=1000, help="tasks of each user (default 1000)")
    parser.add_argument("--connections", type=int, default=16, help="load connections (default 16)")
    parser.add_argument("--workers", type=int, default=3, help="worker processes of each server (default 3)")
    parser.add_argument("--plot", type=Path, default=PLOT, help=f"where the PNG goes (default {PLOT.name})")
    parser.add_argument("--no-plot", action="store_true", help="no PNG")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    if not 1 <= args.users <= api_data.SHARED_SLOTS:
        parser.error(f"--users must be 1 to {api_data.SHARED_SLOTS}")

    run_prefix = f"bench-mono-{uuid.uuid4().hex[:12]}:"
    client = redis.Redis.from_url(api.REDIS_URL, socket_timeout=5)
    print(machine(client))
    print(
        f"load: python http.client, {args.connections} connections (a thread and a keep-alive connection each), "
        f"{args.seconds:g} s per run, {args.rounds} rounds per endpoint; {args.users} users x {args.tasks} tasks; "
        f"Redis key prefix {run_prefix}",
        flush=True,
    )
    began = time.perf_counter()
    try:
        with (
            tempfile.TemporaryDirectory(prefix="bench-mono-") as tmp,
            api_data.databases("bench_mono", 1) as (database,),
        ):
            try:
                return run(args, run_prefix, client, database, Path(tmp))
            finally:
                stop_all()
                api.purge(client, run_prefix)
    finally:
        print(
            f"\nwall time {time.perf_counter() - began:.0f} s, setup and cleanup included; load average "
            "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
        )


def run(args: argparse.Namespace, run_prefix: str, client: redis.Redis, database: str, log_dir: Path) -> int:
    tf_prefix, mono_prefix = run_prefix + "tf:", run_prefix + "mono:"
    environment = api.stack_environment(tf_prefix, args.workers, log_dir)
    print(f"database {database}; starting TaskForge (WORKERS={args.workers}) and the monolith", flush=True)
    (stack,) = api.start_stacks({"taskforge": database}, tf_prefix, args.workers, log_dir)
    monolith = start_monolith(
        database, mono_prefix, public_key_of(environment["JWT_PRIVATE_KEY"]), args.workers, log_dir
    )
    taskforge = Server("TaskForge", stack.port, tf_prefix, lambda scope: f"{tf_prefix}c:{scope}:g*:tasks:*")
    servers = {"TaskForge": taskforge, "monolith": monolith}

    users, seeded = make_users(stack, database, args.users, args.tasks)
    print(
        f"seeded {seeded.rows} tasks in {seeded.seconds:.1f} s: {args.users} users with "
        f"{sorted({len(user.task_ids) for user in users})} tasks each",
        flush=True,
    )
    log_in(stack, users)
    check_same_answers(servers, users[0])
    print("same answers from both for the same requests (list pages, one task, a bad token: 401)", flush=True)
    racers = [users[index % len(users)] for index in range(args.connections)]

    log_in(stack, users)
    before = generations(database, users)
    listing = race(
        Endpoint("GET /api/tasks?limit=50 (cache hit)", 1.0),
        servers,
        lambda: [Calls("GET", [LIST_PATH], user.headers, 200) for user in racers],
        args.seconds,
        args.rounds,
        Pages(client, users, args.seconds),
    )
    if generations(database, users) != before:
        raise RuntimeError("a workspace's generation changed during the list runs: not every request was a hit")

    log_in(stack, users)
    one = race(
        Endpoint("GET /api/tasks/{id}", 1.5),
        servers,
        lambda: [Calls("GET", [f"/api/tasks/{task}" for task in user.task_ids], user.headers, 200) for user in racers],
        args.seconds,
        args.rounds,
    )

    log_in(stack, users)
    body = json.dumps(NEW_TASK).encode()
    create = race(
        Endpoint("POST /api/tasks", 1.5),
        servers,
        lambda: [Calls("POST", ["/api/tasks"], user.headers, 201, body) for user in racers],
        args.seconds,
        args.rounds,
    )

    endpoints = [listing, one, create]
    subtitle = (
        f"{args.users} users x {args.tasks:,} tasks, {args.connections} connections, {args.workers} workers each, "
        f"{os.cpu_count()} cores; {args.rounds} rounds of {args.seconds:g} s, sides alternated"
    )
    plotted = None if args.no_plot else plot(endpoints, args.plot, subtitle)
    print("\n==== summary ====")
    figures = [figure for endpoint in endpoints for figure in endpoint.figures()]
    for figure in figures:
        print(figure.report())
    print("\n" + table(endpoints))
    if plotted:
        print(plotted)
    missed = [figure.label for figure in figures if not figure.passed]
    print(
        f"\n{len(figures) - len(missed)} of {len(figures)} figures within target"
        + (f"; missed: {missed}" if missed else "")
    )
    return 1 if missed and args.strict else 0


def entry() -> int:
    """`python benchmarks/monolith.py`: main() with the exits of the other benchmarks."""
    import signal

    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))  # run the finally blocks
    try:
        return main()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (RuntimeError, LoadError, psycopg.Error, redis.RedisError, OSError) as error:
        print(f"ERROR the race could not run: {error}", file=sys.stderr)
        return 1
    finally:
        stop_all()
