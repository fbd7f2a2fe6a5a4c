"""Performance of the tasks API (GET /api/tasks) through the local stack, as ratios.

(1) cache hit vs cache miss of GET /api/tasks?limit=50 (default sort: created_at desc) for
    users with 10,000 tasks each, at 1, 4 and 16 connections (one user per connection):
    p50 and p99 latency, miss ÷ hit, and throughput, hit ÷ miss
(2) keyset depth: p50 latency of one deep page (90% into the user's tasks, fetched with the
    cursor the API returns there) with 1,000,000 tasks in the table ÷ the same with
    1,000 tasks in the table, cache bypassed                                       ≤ 1.5
(3) a plot of (1), latency and throughput against connections: benchmarks/api_latency.png

Everything runs against `python -m functions.devserver` (every catalog function behind one
gateway, WORKERS worker processes) started here as subprocesses, on two databases created
for the run (CREATE DATABASE, migrations, dropped at the end) and a Redis key prefix of the
run's own, deleted at the end. Users register and log in through the API; their tasks are
generated in SQL (api_data.py).

A miss is forced the way production causes one: before every request of a miss run the
client bumps the cache generation of the caller's workspace, as any write in it does
(UPDATE workspaces SET cache_generation = cache_generation + 1, what migration 0005's
trigger runs; before 0005, INCR of the Redis key), so the handler reads the new
generation, finds no page under it, queries PostgreSQL and stores the page: the full miss
path is measured. Before every request of a hit run the client bumps a spare workspace of
the caller's instead, so both sides put the same writes on the servers and the same work
on the client. Only the HTTP exchange is timed. Every connection has a user (and so a
personal workspace) of its own, so no other request can read or fill the generation it
bumped: every request of a miss run misses, which the run checks (one page stored per
request). Hit and miss runs alternate (hit miss, miss hit, ...); every round gives one
ratio and the median of those ratios is reported with its spread (min-max), because the
2-core machine is shared and noisy.

Also printed: EXPLAIN (ANALYZE) of the deep page's statement (it must use the created_at
index), of the first pages of other sorts and filters, and where one request's time goes,
measured in this process with the handler's parts timed (api_parts.py).

    .venv/bin/python benchmarks/api.py [--seconds 2] [--rounds 4] [--rows 1000000] [--strict]

Prints the figures and exits 0; with --strict a missed target exits 1. A benchmark that
cannot run (a stack that does not start, a failed request) exits 1.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import psycopg
import redis
from api_load import Client, Run, closed_loop, wrk_latency
from load import LoadError

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import api_data  # noqa: E402
import api_parts  # noqa: E402
from runtime import PYTHON, Figure, Spec, spawn, stop, stop_all  # noqa: E402

from functions.devserver.keys import local_signing_key  # noqa: E402
from functions.domain.tasks.tasks import TaskQuery  # noqa: E402
from tests.support.processes import free_port, wait_until_ready  # noqa: E402

REDIS_URL = "redis://127.0.0.1:6379/14"
PASSWORD = "benchmark-password-1"  # a throwaway account in a throwaway database
PLOT = Path(__file__).resolve().parent / "api_latency.png"
LIST_LIMIT = 50
# The index in created_at order: tasks_owner_created (0002), tasks_workspace_created (0003).
CREATED_INDEX = re.compile(r"Index Scan(?: Backward)? using (tasks_\w+_created) on tasks")


# ---------------------------------------------------------------- the stack and its users


@dataclass(frozen=True)
class Stack:
    name: str
    port: int
    database: str
    generation_in_database: bool  # workspaces.cache_generation (0005) rather than a Redis key


@dataclass(frozen=True)
class Caller:
    """A logged-in user of one stack, with their list's scope (personal workspace) and a spare workspace."""

    stack: Stack
    email: str
    user_id: str
    scope: str
    spare: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def stack_environment(prefix: str, workers: int, log_dir: Path) -> dict[str, str]:
    return {
        "REDIS_URL": REDIS_URL,
        "REDIS_KEY_PREFIX": prefix,
        "JWT_PRIVATE_KEY": local_signing_key(log_dir / "keys"),
        "API_RATE_LIMIT_PER_MINUTE": str(10**9),
        "WORKERS": str(workers),
        "DEVDATA_DIR": str(log_dir / "devdata"),
        "WEB_DIST_DIR": str(log_dir / "no-web-dist"),
        "COOKIE_SECURE": "false",
    }


def start_stacks(databases: dict[str, str], prefix: str, workers: int, log_dir: Path) -> list[Stack]:
    """One `python -m functions.devserver` per database, started together, each on a free port."""
    common = stack_environment(prefix, workers, log_dir)
    started = []
    for name, database in databases.items():
        spec = Spec(
            f"stack-{name}",
            [PYTHON, "-m", "functions.devserver"],
            REPO,
            {**common, "DATABASE_URL": api_data.database_url(database)},
        )
        port = free_port()
        stack = Stack(name, port, database, api_data.generation_in_database(database))
        started.append((stack, spawn(spec, port, log_dir), spec))
    for stack, process, spec in started:
        try:
            wait_until_ready(f"http://127.0.0.1:{stack.port}{spec.ready_path}", process, timeout=90)
        except Exception as exc:
            log = (log_dir / f"{spec.name}-{stack.port}.log").read_text(errors="replace")[-3000:]
            stop(process)
            raise RuntimeError(f"{spec.name} did not start: {exc}\n--- its log ---\n{log}") from exc
    return [stack for stack, _, _ in started]


def call(
    port: int, method: str, path: str, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        connection.request(method, path, body=payload, headers={"Content-Type": "application/json", **(headers or {})})
        response = connection.getresponse()
        raw = response.read()
        return response.status, json.loads(raw) if raw else None
    finally:
        connection.close()


def register(stack: Stack, email: str) -> str:
    status, body = call(stack.port, "POST", "/api/auth/register", {"email": email, "password": PASSWORD})
    if status != 201:
        raise RuntimeError(f"register {email} on {stack.name}: {status} {body}")
    return str(body["id"])


def log_in(stack: Stack, email: str, user_id: str) -> Caller:
    status, body = call(stack.port, "POST", "/api/auth/login", {"email": email, "password": PASSWORD})
    if status != 200:
        raise RuntimeError(f"login {email} on {stack.name}: {status} {body}")
    return Caller(
        stack,
        email,
        user_id,
        api_data.scope_of(stack.database, user_id),
        api_data.spare_workspace(stack.database, user_id),
        body["access_token"],
    )


def tasks_path(**parameters: Any) -> str:
    return "/api/tasks?" + urlencode({"limit": LIST_LIMIT, **parameters})


# ---------------------------------------------------------------- hit and miss


class Modes:
    """What the client does before each request: bump a cache generation, the one of the caller's
    workspace (a miss) or of a spare workspace of the caller's (a hit), so that both sides put the
    same write on the servers and only the miss side invalidates. The generation lives in
    PostgreSQL (workspaces.cache_generation, migration 0005) or, before that, in Redis."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self.client = client
        self.prefix = prefix
        self._connections: dict[str, psycopg.Connection[Any]] = {}

    def hit(self, caller: Caller) -> Client:
        return Client(caller.headers, self.bumper(caller, caller.spare))

    def miss(self, caller: Caller) -> Client:
        return Client(caller.headers, self.bumper(caller, caller.scope))

    def bumper(self, caller: Caller, scope: str) -> Callable[[], object]:
        if not caller.stack.generation_in_database:
            key = f"{self.prefix}gen:{scope}"
            return lambda: self.client.incr(key)
        conn = self._connection(caller)  # the caller's own: one load thread uses it at a time
        return lambda: conn.execute(api_data.BUMP_GENERATION, (scope,))

    def generation(self, caller: Caller) -> int:
        if caller.stack.generation_in_database:
            return api_data.generation(self._connection(caller), caller.scope)
        return int(self.client.get(f"{self.prefix}gen:{caller.scope}") or 0)

    def pages_stored(self, caller: Caller, after: int, up_to: int) -> int:
        """How many generations in (after, up_to] of the caller got a cached page; the keys are deleted."""
        keys = list(self.client.scan_iter(match=f"{self.prefix}c:{caller.scope}:g*", count=1000))
        generations = {int(m.group(1)) for key in keys if (m := re.search(rb":g(\d+):", key))}
        if keys:
            self.client.delete(*keys)
        return sum(1 for generation in generations if after < generation <= up_to)

    def close(self) -> None:
        for conn in self._connections.values():
            conn.close()
        self._connections.clear()

    def _connection(self, caller: Caller) -> psycopg.Connection[Any]:
        if caller.email + caller.stack.name not in self._connections:
            self._connections[caller.email + caller.stack.name] = api_data.bump_connection(caller.stack.database)
        return self._connections[caller.email + caller.stack.name]


def purge(client: redis.Redis, prefix: str) -> None:
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    for start in range(0, len(keys), 1000):
        client.delete(*keys[start : start + 1000])


# ---------------------------------------------------------------- figures


def ms(seconds: float) -> float:
    return seconds * 1000


@dataclass
class Level:
    """Hit and miss runs at one connection count."""

    connections: int
    hits: list[Run] = field(default_factory=list)
    misses: list[Run] = field(default_factory=list)
    miss_share: list[float] = field(default_factory=list)

    def ratios(self) -> list[Figure]:
        pairs = list(zip(self.hits, self.misses, strict=True))
        c = self.connections
        return [
            Figure(
                f"(1) p50 latency, miss ÷ hit, {c} connection(s)",
                "miss",
                "hit",
                "ms",
                pairs=[(ms(m.p50), ms(h.p50)) for h, m in pairs],
            ),
            Figure(
                f"(1) p99 latency, miss ÷ hit, {c} connection(s)",
                "miss",
                "hit",
                "ms",
                pairs=[(ms(m.p99), ms(h.p99)) for h, m in pairs],
            ),
            Figure(
                f"(1) throughput, hit ÷ miss, {c} connection(s)",
                "hit",
                "miss",
                "req/s",
                pairs=[(h.rate, m.rate) for h, m in pairs],
            ),
        ]

    def median(self, side: str, measure: Callable[[Run], float]) -> float:
        return statistics.median(measure(run) for run in getattr(self, side))


def hit_vs_miss(callers: list[Caller], modes: Modes, levels: list[int], seconds: float, rounds: int) -> list[Level]:
    path = tasks_path()
    port = callers[0].stack.port
    results = []
    for connections in levels:
        level = Level(connections)
        users = callers[:connections]
        print(f"  {connections} connection(s):", flush=True)
        closed_loop(port, path, [modes.hit(caller) for caller in users], min(1.0, seconds))  # warm-up
        for round_ in range(rounds):
            order = ["hit", "miss"] if round_ % 2 == 0 else ["miss", "hit"]
            for side in order:
                if side == "hit":
                    for caller in users:  # each user's page stored once
                        call(port, "GET", path, headers=caller.headers)
                    level.hits.append(closed_loop(port, path, [modes.hit(caller) for caller in users], seconds))
                else:
                    before = [modes.generation(caller) for caller in users]
                    run = closed_loop(port, path, [modes.miss(caller) for caller in users], seconds)
                    stored = sum(
                        modes.pages_stored(caller, generation, modes.generation(caller))
                        for caller, generation in zip(users, before, strict=True)
                    )
                    level.misses.append(run)
                    level.miss_share.append(stored / run.requests)
            hit, miss = level.hits[-1], level.misses[-1]
            print(
                f"    round {round_ + 1}: hit p50 {ms(hit.p50):.1f} p99 {ms(hit.p99):.1f} ms "
                f"{hit.rate:.0f} req/s | miss p50 {ms(miss.p50):.1f} p99 {ms(miss.p99):.1f} ms "
                f"{miss.rate:.0f} req/s ({level.miss_share[-1]:.1%} of requests stored a page)",
                flush=True,
            )
        results.append(level)
    return results


@dataclass(frozen=True)
class Page:
    label: str
    caller: Caller
    path: str
    first_id: str | None  # the id the page must start with (checked once)


def check_page(page: Page) -> None:
    status, body = call(page.caller.stack.port, "GET", page.path, headers=page.caller.headers)
    if status != 200 or len(body["items"]) != LIST_LIMIT:
        raise RuntimeError(f"{page.label}: {status}, {len(body.get('items', []))} items")
    if page.first_id is not None and body["items"][0]["id"] != page.first_id:
        raise RuntimeError(f"{page.label}: starts at {body['items'][0]['id']}, expected {page.first_id}")


def depth(pages: list[Page], modes: Modes, seconds: float, rounds: int) -> dict[str, list[Run]]:
    """One connection, cache bypassed (a miss every request), subjects rotated every round."""
    runs: dict[str, list[Run]] = {page.label: [] for page in pages}
    for page in pages:
        check_page(page)
        closed_loop(page.caller.stack.port, page.path, [modes.miss(page.caller)], 1.0)
    for round_ in range(rounds):
        shift = round_ % len(pages)
        for page in pages[shift:] + pages[:shift]:
            runs[page.label].append(closed_loop(page.caller.stack.port, page.path, [modes.miss(page.caller)], seconds))
        print(
            "    round {}: {}".format(
                round_ + 1, ", ".join(f"{label} p50 {ms(values[-1].p50):.2f} ms" for label, values in runs.items())
            ),
            flush=True,
        )
    return runs


# ---------------------------------------------------------------- plans


def plan_summary(plan: str) -> str:
    """The lines that say how the rows were found and sorted, and the execution time."""
    keep = (
        "Index Scan",
        "Index Only Scan",
        "Seq Scan",
        "Bitmap",
        "Sort",
        "Index Cond",
        "Presorted Key",
        "Execution Time",
        "Limit",
        "Gather",
        "SubPlan",
    )
    lines = [line for line in plan.splitlines() if any(word in line for word in keep)]
    return "\n".join(lines)


def plans(database: str, scope: str, cursor: str) -> tuple[bool, str]:
    """EXPLAIN (ANALYZE) of the deep page, custom and generic plans; True when both use the index."""
    query = TaskQuery(limit=LIST_LIMIT, cursor=cursor)
    custom = api_data.explain_page(database, scope, query)
    generic = api_data.explain_page(database, scope, query, generic=True)
    uses_index = all(re.search(CREATED_INDEX, plan) for plan in (custom, generic))
    text = (
        "  EXPLAIN (ANALYZE, BUFFERS) of the deep page's statement, with its values (a custom plan):\n"
        + _indent(custom)
        + "\n  the same as a prepared statement on a generic plan, as psycopg runs it"
        " after 5 executions on a connection (plan_cache_mode = force_generic_plan), in short:\n"
        + _indent(plan_summary(generic))
    )
    return uses_index, text


def other_orders(database: str, scope: str) -> str:
    """First pages of other queries in the same workspace: execution time and how they find and sort rows."""
    rows = []
    for parameters in (
        {"sort": "due_date", "order": "desc"},
        {"sort": "due_date", "order": "asc"},
        {"sort": "priority", "order": "desc"},
        {"completed": False},
        {"q": "milk"},
        {"q": "milk call"},
    ):
        plan = api_data.explain_page(database, scope, TaskQuery(limit=LIST_LIMIT, **parameters))
        found = re.search(r"Execution Time: ([\d.]+) ms", plan)
        sort = re.search(r"Sort Key: (.*)", plan)
        # The first scan of tasks: its name, the rows the planner expected and the rows it read.
        scan = re.search(
            r"->\s+((?:Parallel )?(?:Index Scan(?: Backward)?|Bitmap Heap Scan|Seq Scan)(?: using \S+)?"
            r" on tasks)\b.*?rows=(\d+) width=\d+\) \(actual time=[\d.]+\.\.[\d.]+ rows=(\d+)",
            plan,
        )
        how = f"{scan.group(1)}; rows read {scan.group(3)}, matches estimated {scan.group(2)}" if scan else "?"
        rows.append(
            f"    {urlencode(parameters):<28} {float(found.group(1)) if found else float('nan'):8.1f} ms  "
            f"{how}; sort {sort.group(1) if sort else 'none (index order)'}"
        )
    return "\n".join(rows)


def _indent(text: str, by: str = "    ") -> str:
    return "\n".join(by + line for line in text.splitlines())


# ---------------------------------------------------------------- machine and plot


def machine(modes: Modes, workers: int) -> str:
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
        postgres = row["server_version"] if row else "?"
    redis_version = modes.client.info("server").get("redis_version", "?")
    wrk_path = shutil.which("wrk")
    wrk = (
        subprocess.run([wrk_path, "--version"], capture_output=True, text=True, check=False).stdout.split(" [")[0]
        if wrk_path
        else "wrk not installed"
    )
    return (
        f"machine: {os.cpu_count()} cores ({model}), Python {platform.python_version()}, PostgreSQL {postgres}, "
        f"Redis {redis_version}, {wrk}; load average " + "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg()) + "\n"
        f"stack: python -m functions.devserver, WORKERS={workers} (gunicorn processes, one invocation at a "
        f"time per function in each), API_RATE_LIMIT_PER_MINUTE=10^9, REDIS_URL={REDIS_URL}"
    )


def plot(levels: list[Level], path: Path, subtitle: str) -> str:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.ticker import FixedLocator, NullFormatter, ScalarFormatter
    except ImportError:
        return "no plot: matplotlib is not installed (.venv/bin/pip install matplotlib)"
    x = [level.connections for level in levels]
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.4))
    for side, colour in (("hits", "tab:blue"), ("misses", "tab:orange")):
        name = "cache hit" if side == "hits" else "cache miss"
        left.plot(x, [ms(level.median(side, _p50)) for level in levels], "o-", color=colour, label=f"{name} p50")
        left.plot(x, [ms(level.median(side, _p99)) for level in levels], "s--", color=colour, label=f"{name} p99")
        right.plot(x, [level.median(side, _rate) for level in levels], "o-", color=colour, label=name)
    for axis in (left, right):
        axis.set_xscale("log", base=2)
        axis.set_xticks(x, [str(value) for value in x])
        axis.set_xlabel("connections")
        axis.grid(True, which="both", alpha=0.3)
        axis.legend()
    left.set_yscale("log")
    left.yaxis.set_major_locator(FixedLocator([1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]))
    left.yaxis.set_major_formatter(ScalarFormatter())
    left.yaxis.set_minor_formatter(NullFormatter())
    left.set_ylabel("latency, ms (median of rounds)")
    left.set_title("latency")
    right.set_ylabel("requests per second (median of rounds)")
    right.set_ylim(bottom=0)
    right.set_title("throughput")
    figure.suptitle(f"GET /api/tasks?limit={LIST_LIMIT}, cache hit vs miss\n{subtitle}", fontsize=10)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return f"plot: {path}"


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="length of one hit or miss run (default 2)")
    parser.add_argument("--rounds", type=int, default=4, help="hit/miss rounds per connection count (default 4)")
    parser.add_argument("--connections", default="1,4,16", help="connection counts of (1) (default 1,4,16)")
    parser.add_argument("--rows", type=int, default=1_000_000, help="tasks in the large table (default 1000000)")
    parser.add_argument("--small-rows", type=int, default=1_000, help="tasks in the small table (default 1000)")
    parser.add_argument(
        "--list-tasks", type=int, default=10_000, help="tasks of each user of (1), at most rows/100 (default 10000)"
    )
    parser.add_argument("--depth-seconds", type=float, default=1.0, help="length of one run of (2) (default 1)")
    parser.add_argument("--depth-rounds", type=int, default=7, help="rounds of (2) (default 7)")
    parser.add_argument("--workers", type=int, default=3, help="WORKERS of the stacks (default 3)")
    parser.add_argument(
        "--parts",
        type=int,
        default=300,
        help="requests of each kind in the in-process breakdown, 0 for none (default 300)",
    )
    parser.add_argument("--plot", type=Path, default=PLOT, help=f"where the PNG goes (default {PLOT.name})")
    parser.add_argument("--no-plot", action="store_true", help="no PNG")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    levels = [int(value) for value in args.connections.split(",")]

    prefix = f"bench-api-{uuid.uuid4().hex[:12]}:"
    modes = Modes(redis.Redis.from_url(REDIS_URL, socket_timeout=5), prefix)
    print(machine(modes, args.workers))
    print(
        f"load: python http.client, one thread and one keep-alive connection per connection; "
        f"{args.seconds:g} s per run, {args.rounds} rounds; Redis key prefix {prefix}\n",
        flush=True,
    )
    began = time.perf_counter()
    try:
        with (
            tempfile.TemporaryDirectory(prefix="bench-api-") as tmp,
            api_data.databases("bench_api", 2) as (large_db, small_db),
        ):
            try:
                return run(args, levels, prefix, modes, large_db, small_db, Path(tmp))
            finally:
                stop_all()
                modes.close()
                purge(modes.client, prefix)
    finally:
        print(
            f"\nwall time {time.perf_counter() - began:.0f} s, setup and cleanup included; load average "
            "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
        )


@dataclass(frozen=True)
class Deep:
    """The deep page of one stack's deep user."""

    caller: Caller
    database: str
    owned: int  # tasks the user owns
    table: int  # tasks in the table
    position: int  # 0-based position of the page's first task in the default order
    cursor: str
    first_id: str

    @property
    def page_number(self) -> int:
        return self.position // LIST_LIMIT + 1


def deep_page(caller: Caller, database: str, seeded: api_data.Seeded) -> Deep:
    owned = seeded.by_owner[caller.user_id]
    position = int(owned * 0.9)
    cursor, first_id = api_data.cursor_at(database, caller.scope, position, LIST_LIMIT)
    return Deep(caller, database, owned, seeded.rows, position, cursor, first_id)


def run(
    args: argparse.Namespace, levels: list[int], prefix: str, modes: Modes, large_db: str, small_db: str, log_dir: Path
) -> int:
    print(
        f"databases {large_db} ({args.rows} tasks) and {small_db} ({args.small_rows} tasks); starting the stacks",
        flush=True,
    )
    large, small = start_stacks({"large": large_db, "small": small_db}, prefix, args.workers, log_dir)
    list_emails = [f"list-{index}@example.com" for index in range(1, max(levels) + 1)]
    deep_large_id, deep_small_id = register(large, "deep@example.com"), register(small, "deep@example.com")
    list_ids = [register(large, email) for email in list_emails]
    seeded_large = api_data.seed_tasks(large_db, args.rows, deep_large_id, list_ids, args.list_tasks)
    seeded_small = api_data.seed_tasks(small_db, args.small_rows, deep_small_id, [], 0)
    list_tasks = sorted({seeded_large.by_owner[user_id] for user_id in list_ids})
    print(
        f"seeded in {seeded_large.seconds:.1f} s and {seeded_small.seconds:.1f} s (INSERT ... SELECT "
        "generate_series, indexes rebuilt, VACUUM ANALYZE): the deep user owns "
        f"{seeded_large.by_owner[deep_large_id]} of {seeded_large.rows} and {seeded_small.by_owner[deep_small_id]} "
        f"of {seeded_small.rows} tasks; {len(list_ids)} list users own {list_tasks} tasks each",
        flush=True,
    )
    listers = [log_in(large, email, user_id) for email, user_id in zip(list_emails, list_ids, strict=True)]
    deep_large = log_in(large, "deep@example.com", deep_large_id)
    deep_small = log_in(small, "deep@example.com", deep_small_id)

    print(
        f"\n(1) GET {tasks_path()}, users with {list_tasks[0]} tasks each in the {seeded_large.rows}-task table, "
        "one per connection, hit vs miss",
        flush=True,
    )
    results = hit_vs_miss(listers, modes, levels, args.seconds, args.rounds)
    call(large.port, "GET", tasks_path(), headers=listers[0].headers)  # the page cached again
    cross_check = wrk_latency(large.port, tasks_path(), listers[0].headers, args.seconds, levels[-1])

    big, little = deep_page(deep_large, large_db, seeded_large), deep_page(deep_small, small_db, seeded_small)
    pages = [
        Page(f"deep page, {big.table} tasks", deep_large, tasks_path(cursor=big.cursor), big.first_id),
        Page(f"deep page, {little.table} tasks", deep_small, tasks_path(cursor=little.cursor), little.first_id),
        Page(f"first page, {big.table} tasks", deep_large, tasks_path(), None),
    ]
    print(
        f"\n(2) keyset depth: the deep user owns {big.owned} of {big.table} tasks and {little.owned} of "
        f"{little.table}; the deep page starts at position {big.position} (page {big.page_number}) and "
        f"{little.position} (page {little.page_number}); one connection, a miss on every request",
        flush=True,
    )
    depth_runs = depth(pages, modes, args.depth_seconds, args.depth_rounds)
    uses_index, plan_text = plans(large_db, deep_large.scope, big.cursor)
    orders = other_orders(large_db, deep_large.scope)
    parts = None
    if args.parts:
        lister = listers[0]
        print(f"\nin-process breakdown of GET {tasks_path()} for {lister.email}", flush=True)
        parts = api_parts.breakdown(
            {**stack_environment(prefix, args.workers, log_dir), "DATABASE_URL": api_data.database_url(large_db)},
            lister.token,
            modes.miss(lister).before,
            tasks_path(),
            args.parts,
            log_dir / "in-process.log",
        )

    subtitle = (
        f"users with {list_tasks[0]:,} tasks each in a {seeded_large.rows:,}-task table; local stack "
        f"WORKERS={args.workers}, {os.cpu_count()} cores; {args.rounds} rounds of {args.seconds:g} s, "
        "hit and miss alternated"
    )
    plotted = None if args.no_plot else plot(results, args.plot, subtitle)

    print("\n==== summary ====")
    for level in results:
        for ratio in level.ratios():
            print(ratio.report())
        print(
            f"    pages stored by the miss runs: {min(level.miss_share):.1%}-{max(level.miss_share):.1%} "
            "of their requests (100%: every request missed)"
        )
    if parts is not None:
        print(parts)
    if cross_check is not None:
        hits = results[-1]
        print(
            f"(1) cross-check, hits at {levels[-1]} connections with wrk --latency (one user, one run after the "
            f"rounds): p50 {ms(cross_check.p50):.1f} ms, p99 {ms(cross_check.p99):.1f} ms, "
            f"{cross_check.rate:.0f} req/s; python generator medians: p50 {ms(hits.median('hits', _p50)):.1f} ms, "
            f"p99 {ms(hits.median('hits', _p99)):.1f} ms, {hits.median('hits', _rate):.0f} req/s"
        )
    deep_big, deep_little, first_big = (depth_runs[page.label] for page in pages)
    depth_ratio = Figure(
        f"(2) deep page p50, {big.table} ÷ {little.table} tasks in the table",
        f"{big.table} tasks",
        f"{little.table} tasks",
        "ms",
        target=1.5,
        pairs=[(ms(a.p50), ms(b.p50)) for a, b in zip(deep_big, deep_little, strict=True)],
    )
    print(depth_ratio.report())
    print(
        Figure(
            f"(2) deep page (page {big.page_number}) ÷ first page p50, {big.table} tasks in the table",
            "deep",
            "first",
            "ms",
            pairs=[(ms(a.p50), ms(b.p50)) for a, b in zip(deep_big, first_big, strict=True)],
        ).report()
    )
    print(
        f"(2) the deep page's statement uses an Index Scan on the created_at index (tasks_owner_created or "
        f"tasks_workspace_created): {'yes' if uses_index else 'NO'}"
    )
    print(plan_text)
    print(f"  first pages of other queries of the deep user ({big.owned} tasks), EXPLAIN (ANALYZE):")
    print(orders)
    if plotted:
        print(plotted)
    missed = not depth_ratio.passed or not uses_index
    return 1 if missed and args.strict else 0


def _p50(run: Run) -> float:
    return run.p50


def _p99(run: Run) -> float:
    return run.p99


def _rate(run: Run) -> float:
    return run.rate


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))  # run the finally blocks
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    except (RuntimeError, LoadError, psycopg.Error, redis.RedisError, OSError) as error:
        print(f"ERROR the benchmark could not run: {error}", file=sys.stderr)
        sys.exit(1)
    finally:
        stop_all()
