"""TaskForge against the monolith it replaces, endpoint by endpoint, as ratios.

For each of GET /api/tasks?limit=50 (a cache hit), GET /api/tasks/{id} and POST /api/tasks:
throughput, TaskForge ÷ monolith (targets ≥ 1.0, 1.5 and 1.5), and p99 latency, TaskForge ÷
monolith (target ≤ 1.0 each); p50 latency and the servers' CPU time per request are reported
beside them. Plus a plot of throughput and latency per endpoint for both (monolith_race.png).

TaskForge is `python -m functions.devserver` with WORKERS=3, started as benchmarks/api.py
starts it; the monolith is the Flask app of this package under gunicorn with 3 sync workers.
Both serve one database created for the run (migrations applied, dropped at the end) on the
same PostgreSQL, and the same Redis with a key prefix each under the run's own (deleted at the
end). Users register and log in through TaskForge; the monolith verifies the same tokens with
the same public key. Each user's tasks are generated in SQL (api_data.py): --users users with
--tasks tasks each, in a table of 100 times --tasks rows (the rest belong to other users). Both
limit each user to API_RATE_LIMIT_PER_MINUTE=10^9 requests a minute: the load would otherwise
be throttled by either.

The load is closed-loop at --connections connections, each sending its next request as soon as
the answer is in. With wrk installed (as load.py prefers it): --threads threads, and a Lua
script that sends each request as the next user in turn; else the Python generator: a thread
and a connection per connection, connection i being user i mod --users. Either keeps
connections alive where the server does; gunicorn's sync workers close each one after its
response (and wait for the client to close its side), so every request to the monolith opens a
connection, which is in its latencies. A status outside 2xx fails the run. A list run is all
hits: each user's page is stored before the run on the side measured, with a TTL longer than
the run, and no write happens during the list runs (checked: every workspace's generation is
the same after them). GET /api/tasks/{id} cycles through each user's tasks; POST /api/tasks
creates tasks in each user's personal workspace (both write the task and its outbox event; the
monolith writes its events as published; TaskForge publishes its own after the commit, as in the
cluster, to a broker in this script that takes them and delivers them nowhere: see Broker).

Rounds alternate the two sides (TaskForge, monolith; monolith, TaskForge; ...), and each round
gives one ratio: the machine is shared and noisy, so the median of the ratios is reported with
their spread (min-max); absolute figures are medians, for context only. The CPU per request is
the user and system time of each server's process tree over the run (TaskForge's includes its
scheduler and local AWS stand-in; PostgreSQL's and Redis's time is in neither).

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
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import api
import api_data
import psycopg
import redis
from api_load import Client, closed_loop, wrk_seconds
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
ENDPOINTS = {"list", "one", "create"}


# ---------------------------------------------------------------- the two servers


@dataclass(frozen=True)
class Server:
    name: str
    port: int
    prefix: str  # its Redis key prefix
    page_keys: Callable[[str], str]  # workspace id -> the pattern of its cached pages' keys
    pid: int  # its main process: the CPU of its process tree is counted


class Broker:
    """The Knative Broker's ingress as a publisher meets it, outside TaskForge's processes: it
    takes each event that carries the token (202) and delivers it nowhere.

    In the cluster the Broker and the functions it delivers to (the activity feed) run in pods
    of their own; the monolith has no feed and writes its events as already published. The
    local stack's stand-in broker would run the feed in TaskForge's process tree, on the two
    cores the race shares, so a write would be charged for work the monolith never does."""

    def __init__(self, token: str) -> None:
        class Accept(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                taken = self.headers.get("X-TaskForge-Broker-Token") == token
                self.send_response(202 if taken else 401)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Accept)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/"
        self.token = token


def start_taskforge(
    database: str, prefix: str, environment: dict[str, str], broker: Broker, log_dir: Path
) -> tuple[Server, api.Stack]:
    """`python -m functions.devserver` as benchmarks/api.py starts it (api.stack_environment: WORKERS, the
    signing key, the rate limit raised), its events going to `broker`."""
    spec = Spec(
        "taskforge",
        [PYTHON, "-m", "functions.devserver"],
        REPO,
        {
            **environment,
            "DATABASE_URL": api_data.database_url(database),
            "BROKER_URL": broker.url,
            "BROKER_TOKEN": broker.token,
        },
    )
    port = free_port()
    process = spawn(spec, port, log_dir)
    try:
        wait_ready(port, spec.ready_path, process, timeout=90)
    except Exception as exc:
        log = (log_dir / f"{spec.name}-{port}.log").read_text(errors="replace")[-3000:]
        stop(process)
        raise RuntimeError(f"TaskForge did not start: {exc}\n--- its log ---\n{log}") from exc
    stack = api.Stack("taskforge", port, database, generation_in_database=True)
    return Server("TaskForge", port, prefix, lambda scope: f"{prefix}c:{scope}:g*:tasks:*", process.pid), stack


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
    return Server("monolith", port, prefix, lambda scope: f"{prefix}page:{scope}:g*:tasks:*", process.pid)


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
class Measured:
    """One run on one side: requests per second, p50 and p99 (seconds), requests answered, and
    the CPU time the server's processes spent per request (seconds; PostgreSQL's and Redis's not
    included), a figure that a busy machine disturbs less than the others, and PostgreSQL's CPU
    time per request over the same run (all its processes: the sides take turns on it)."""

    rate: float
    p50: float
    p99: float
    requests: int
    cpu_per_request: float = 0.0
    database_cpu_per_request: float = 0.0


@dataclass(frozen=True)
class Load:
    """wrk when it is installed (unless told not to), else the Python closed loop above."""

    connections: int
    threads: int
    use_wrk: bool
    log_dir: Path

    @property
    def wrk(self) -> str | None:
        return shutil.which("wrk") if self.use_wrk else None

    def describe(self) -> str:
        if self.wrk:
            return (
                f"wrk ({self.threads} threads, {self.connections} connections, keep-alive where the server "
                "keeps it; each request goes to the next user in turn, a Lua script)"
            )
        return f"python http.client ({self.connections} threads, one connection each, each a user of its own)"

    def run(self, server: Server, connections: list[Client], seconds: float) -> Measured:
        wrk = self.wrk
        before = cpu_seconds(server.pid)
        database_before = database_cpu_seconds()
        if wrk is None:
            run = closed_loop(server.port, None, connections, seconds)
            measured = Measured(run.rate, run.p50, run.p99, run.requests)
        else:
            measured = wrk_run(wrk, server.port, connections, seconds, self.threads, self.log_dir)
        used = cpu_seconds(server.pid) - before
        database_used = database_cpu_seconds() - database_before
        requests = max(1, measured.requests)
        return replace(measured, cpu_per_request=used / requests, database_cpu_per_request=database_used / requests)


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process and all its descendants so far."""
    import psutil

    root = psutil.Process(pid)
    return _cpu_of([root, *root.children(recursive=True)])


def database_cpu_seconds() -> float:
    """User and system CPU time of every PostgreSQL process on this machine so far (the race's
    server is local): its backends, WAL writer and checkpointer work for whichever side runs."""
    import psutil

    return _cpu_of(process for process in psutil.process_iter(["name"]) if process.info["name"] == "postgres")


def _cpu_of(processes: Iterable[Any]) -> float:
    import psutil

    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def wrk_script(connections: list[Client]) -> str:
    """A wrk script that sends each user's requests in turn: user 1's first path, user 2's first
    path, ..., user 1's second path, ... The Client of one user is taken once."""
    users: dict[str, Client] = {}
    for calls in connections:
        users.setdefault(calls.headers.get("Authorization", ""), calls)
    first = connections[0]
    entries = []
    for calls in users.values():
        headers = {**calls.headers, **({"Content-Type": "application/json"} if calls.body else {})}
        header_text = ", ".join(f'["{name}"] = "{value}"' for name, value in headers.items())
        paths = ", ".join(f'"{path}"' for path in calls.paths[:250])
        entries.append(f"  {{headers = {{{header_text}}}, paths = {{{paths}}}}}")
    body = f"[==[{first.body.decode()}]==]" if first.body else "nil"
    table = ",\n".join(entries)
    return (
        f"local users = {{\n{table}\n}}\n"
        f'local method, body = "{first.method}", {body}\n'
        "local started = 0\n"
        "function setup(thread) thread:set('offset', started); started = started + 1 end\n"
        "function init(args) turn = (offset or 0) * 7919 end\n"
        "function request()\n"
        "  turn = turn + 1\n"
        "  local user = users[(turn % #users) + 1]\n"
        "  local path = user.paths[(math.floor(turn / #users) % #user.paths) + 1]\n"
        "  return wrk.format(method, path, user.headers, body)\n"
        "end\n"
    )


def wrk_run(wrk: str, port: int, connections: list[Client], seconds: float, threads: int, log_dir: Path) -> Measured:
    """`wrk --latency` with the script above: its p50, p99 and rate. Any response outside 2xx and
    3xx, any socket error or timeout fails the run (the expected status is 200 or 201: 2xx)."""
    script = log_dir / f"wrk-{uuid.uuid4().hex[:8]}.lua"
    script.write_text(wrk_script(connections))
    argv = [
        wrk,
        f"-t{min(threads, len(connections))}",
        f"-c{len(connections)}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(script),
        f"http://127.0.0.1:{port}/",
    ]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60)
    out = result.stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if result.returncode != 0 or rate is None:
        raise LoadError(f"wrk failed: {result.stderr.strip() or out.strip()}")
    problem = re.search(r"Non-2xx or 3xx responses: \d+|Socket errors: .*", out)
    if problem:
        raise LoadError(f"wrk: {problem.group(0)}\n{out}")
    answered = re.search(r"(\d+) requests in", out)
    return Measured(
        float(rate.group(1)),
        wrk_seconds(out, "50%"),
        wrk_seconds(out, "99%"),
        int(answered.group(1)) if answered else 0,
    )


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
    runs: dict[str, list[Measured]] = field(default_factory=lambda: {side: [] for side in SIDES})

    def pairs(self, measure: Callable[[Measured], float]) -> list[tuple[float, float]]:
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
            Figure(
                f"{self.label}: server CPU per request, TaskForge ÷ monolith",
                "TaskForge",
                "monolith",
                "ms",
                pairs=self.pairs(lambda run: run.cpu_per_request * 1000),
            ),
            Figure(
                f"{self.label}: PostgreSQL CPU per request, TaskForge ÷ monolith",
                "TaskForge",
                "monolith",
                "ms",
                pairs=self.pairs(lambda run: run.database_cpu_per_request * 1000),
            ),
        ]

    def median(self, side: str, measure: Callable[[Measured], float]) -> float:
        return statistics.median(measure(run) for run in self.runs[side])

    def spread(self, side: str, measure: Callable[[Measured], float]) -> tuple[float, float]:
        values = [measure(run) for run in self.runs[side]]
        return min(values), max(values)


def race(
    endpoint: Endpoint,
    load: Load,
    servers: dict[str, Server],
    connections: Callable[[], list[Client]],
    seconds: float,
    rounds: int,
    before_run: Callable[[Server], None] = lambda server: None,
) -> Endpoint:
    print(f"\n{endpoint.label}", flush=True)
    for server in servers.values():  # warm-up: first requests, lazy imports, pools
        before_run(server)
        load.run(server, connections(), min(1.0, seconds))
    for round_ in range(rounds):
        order = list(SIDES) if round_ % 2 == 0 else list(reversed(SIDES))
        for side in order:
            before_run(servers[side])
            endpoint.runs[side].append(load.run(servers[side], connections(), seconds))
        parts = []
        for side in SIDES:
            run = endpoint.runs[side][-1]
            parts.append(
                f"{side} {run.rate:.0f} req/s p50 {run.p50 * 1000:.1f} p99 {run.p99 * 1000:.1f} ms "
                f"CPU {run.cpu_per_request * 1000:.2f} ms/request, PostgreSQL {run.database_cpu_per_request * 1000:.2f}"
            )
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
    """The figures as RESULTS.md shows them (markdown): ratios as median (min-max), then medians."""
    lines = [
        "| endpoint | throughput TaskForge ÷ monolith | p99 TaskForge ÷ monolith | p50 TaskForge ÷ monolith "
        "| server CPU per request TaskForge ÷ monolith "
        "| PostgreSQL CPU per request TaskForge ÷ monolith | req/s TaskForge / monolith "
        "| p50 TaskForge / monolith | p99 TaskForge / monolith | server CPU per request TaskForge / monolith "
        "| PostgreSQL CPU per request TaskForge / monolith |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for endpoint in endpoints:
        cells = [f"{f.ratio:.2f} ({min(f.ratios):.2f}-{max(f.ratios):.2f})" for f in endpoint.figures()]

        def pair(measure: Callable[[Measured], float], scale: float, digits: int, of: Endpoint = endpoint) -> str:
            a, b = (of.median(side, measure) * scale for side in SIDES)
            return f"{a:.{digits}f} / {b:.{digits}f}"

        lines.append(
            f"| {endpoint.label} | {' | '.join(cells)} | {pair(_rate, 1, 0)} | {pair(_p50, 1000, 1)} ms "
            f"| {pair(_p99, 1000, 1)} ms | {pair(_cpu, 1000, 2)} ms | {pair(_database_cpu, 1000, 2)} ms |"
        )
    return "\n".join(lines)


def _rate(run: Measured) -> float:
    return run.rate


def _cpu(run: Measured) -> float:
    return run.cpu_per_request


def _database_cpu(run: Measured) -> float:
    return run.database_cpu_per_request


def _p50(run: Measured) -> float:
    return run.p50


def _p99(run: Measured) -> float:
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
    parser.add_argument("--threads", type=int, default=2, help="wrk's threads (default 2)")
    parser.add_argument("--no-wrk", action="store_true", help="the Python load generator even if wrk is installed")
    parser.add_argument("--workers", type=int, default=3, help="worker processes of each server (default 3)")
    parser.add_argument("--plot", type=Path, default=PLOT, help=f"where the PNG goes (default {PLOT.name})")
    parser.add_argument("--no-plot", action="store_true", help="no PNG")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--only", default="list,one,create", help="the endpoints raced, of list, one and create (default all three)"
    )
    args = parser.parse_args(argv)
    args.only = set(args.only.split(","))
    if not args.only or args.only - ENDPOINTS:
        parser.error(f"--only takes a comma-separated choice of {', '.join(sorted(ENDPOINTS))}")
    if not 1 <= args.users <= api_data.SHARED_SLOTS:
        parser.error(f"--users must be 1 to {api_data.SHARED_SLOTS}")

    run_prefix = f"bench-mono-{uuid.uuid4().hex[:12]}:"
    client = redis.Redis.from_url(api.REDIS_URL, socket_timeout=5)
    print(machine(client))
    began = time.perf_counter()
    try:
        with (
            tempfile.TemporaryDirectory(prefix="bench-mono-") as tmp,
            api_data.databases("bench_mono", 1) as (database,),
        ):
            load = Load(args.connections, args.threads, not args.no_wrk, Path(tmp))
            print(
                f"load: {load.describe()}; {args.seconds:g} s per run, {args.rounds} rounds per endpoint; "
                f"{args.users} users x {args.tasks} tasks; Redis key prefix {run_prefix}",
                flush=True,
            )
            try:
                return run(args, load, run_prefix, client, database, Path(tmp))
            finally:
                stop_all()
                api.purge(client, run_prefix)
    finally:
        print(
            f"\nwall time {time.perf_counter() - began:.0f} s, setup and cleanup included; load average "
            "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
        )


def run(
    args: argparse.Namespace, load: Load, run_prefix: str, client: redis.Redis, database: str, log_dir: Path
) -> int:
    tf_prefix, mono_prefix = run_prefix + "tf:", run_prefix + "mono:"
    print(f"database {database}; starting TaskForge (WORKERS={args.workers}) and the monolith", flush=True)
    environment = api.stack_environment(tf_prefix, args.workers, log_dir)
    broker = Broker(secrets.token_urlsafe(32))
    taskforge, stack = start_taskforge(database, tf_prefix, environment, broker, log_dir)
    public_key = public_key_of(environment["JWT_PRIVATE_KEY"])
    monolith = start_monolith(database, mono_prefix, public_key, args.workers, log_dir)
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

    endpoints = []
    if "list" in args.only:
        log_in(stack, users)
        before = generations(database, users)
        endpoints.append(
            race(
                Endpoint("GET /api/tasks?limit=50 (cache hit)", 1.0),
                load,
                servers,
                lambda: [Client(user.headers, paths=(LIST_PATH,)) for user in racers],
                args.seconds,
                args.rounds,
                Pages(client, users, args.seconds),
            )
        )
        if generations(database, users) != before:
            raise RuntimeError("a workspace's generation changed during the list runs: not every request was a hit")

    if "one" in args.only:
        log_in(stack, users)
        endpoints.append(
            race(
                Endpoint("GET /api/tasks/{id}", 1.5),
                load,
                servers,
                lambda: [
                    Client(user.headers, paths=tuple(f"/api/tasks/{task}" for task in user.task_ids)) for user in racers
                ],
                args.seconds,
                args.rounds,
            )
        )

    if "create" in args.only:
        log_in(stack, users)
        body = json.dumps(NEW_TASK).encode()
        endpoints.append(
            race(
                Endpoint("POST /api/tasks", 1.5),
                load,
                servers,
                lambda: [
                    Client(user.headers, method="POST", paths=("/api/tasks",), body=body, expect=201) for user in racers
                ],
                args.seconds,
                args.rounds,
            )
        )

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
    targeted = [figure for figure in figures if figure.target is not None]
    missed = [figure.label for figure in targeted if not figure.passed]
    print(f"\n{len(targeted) - len(missed)} of {len(targeted)} targets met" + "".join(f"\nMISS {m}" for m in missed))
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
