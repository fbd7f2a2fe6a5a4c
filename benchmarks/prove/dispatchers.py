"""Reminder throughput with 1, 2 and 3 dispatcher processes, side by side, on the real ledger.

Every run seeds the same workload (--reminders due reminders in a database of this script's
own, created and dropped here) and a fresh ledger table in DynamoDB on a moto server process
started here, then lets N processes run the dispatcher code (functions.domain.reminders.dispatch with
the DeliveryLedger) until every reminder is sent. The processes import, connect and warm up
first; the clock runs from a common start signal to the last one's exit. The sender only
formats the message, as the handler does before SES takes it: a provider that accepts at once.
So what is measured is claiming rows in PostgreSQL with FOR UPDATE SKIP LOCKED, the claim and
confirmation in the ledger (two DynamoDB requests per reminder), and marking rows sent.

Each round runs every dispatcher count once, in an order rotated from round to round so a
drift in the machine's load spreads over all of them. Printed: reminders per second for each
run, the medians, the ratios 2 ÷ 1 and 3 ÷ 1 (medians of the per-round ratios), how busy the
moto server's one core was, the CPU each reminder cost in the dispatchers and in the ledger
server, and the ceiling that cost sets on idle cores (the ledger server, one process, can use
one core at most). On a machine shared with other work, the rates move with that work while
the CPU cost per reminder hardly does. A run in which a reminder is not sent exactly once (its
row not sent, or any delivery counted as already sent, retried or failed) stops the script.
The plot (`dispatchers.png` beside this script) shows every run, the medians, linear scaling
from one dispatcher and the ceiling.

    .venv/bin/python benchmarks/prove/dispatchers.py [--reminders 2000] [--rounds 3] [--batch 50]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

import psutil
import psycopg
from psycopg import sql

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

from functions.domain.reminders import dispatch  # noqa: E402
from functions.platform.db import Database  # noqa: E402
from functions.platform.dynamo import DeliveryLedger, ensure_tables  # noqa: E402
from functions.platform.migrate import apply_migrations  # noqa: E402
from functions.platform.settings import Settings  # noqa: E402
from tests.support.processes import free_port  # noqa: E402

ADMIN_URL = os.environ.get("PROVE_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DISPATCHER_COUNTS = (1, 2, 3)
USERS = 20
PLOT = Path(__file__).with_suffix(".png")

# Moto's DynamoDB application served alone (as in tests/prove/test_reminder_dispatchers.py):
# moto_server's backend and responses, without its per-request service lookup and log line.
MOTO_DYNAMODB = """
import logging, sys
from werkzeug.serving import make_server
from moto.server import create_backend_app
logging.getLogger("werkzeug").setLevel(logging.WARNING)
make_server("127.0.0.1", int(sys.argv[1]), create_backend_app("dynamodb"), threaded=True).serve_forever()
"""


@dataclass(frozen=True)
class Run:
    dispatchers: int
    per_second: float
    ledger_busy: float  # the moto server's CPU seconds over the run's seconds: 1.0 is its whole core
    dispatcher_ms: float  # CPU milliseconds per reminder, all dispatcher processes together
    ledger_ms: float  # CPU milliseconds per reminder in the moto server


@contextmanager
def own_database() -> Iterator[str]:
    name = f"tf_bench_dispatchers_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        url = psycopg.conninfo.make_conninfo(ADMIN_URL, dbname=name)
        apply_migrations(url)
        yield url
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextmanager
def moto_server() -> Iterator[tuple[str, psutil.Process]]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", MOTO_DYNAMODB, str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 30
        while not listening(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the moto server did not start")
            time.sleep(0.05)  # polling interval
        yield f"http://127.0.0.1:{port}", psutil.Process(process.pid)
    finally:
        process.terminate()
        process.wait(10)


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def seed(url: str, count: int) -> None:
    """`count` due reminders, one per task, over USERS users; schedule columns as
    schedules.recompute writes them for an absolute reminder."""
    with psycopg.connect(url, autocommit=True) as conn:
        with conn.transaction():
            conn.execute("TRUNCATE reminders, tasks, memberships, workspaces, users CASCADE")
            conn.execute(
                "INSERT INTO users (email, password_hash) SELECT 'bench-' || n || '@example.com', 'x'"
                " FROM generate_series(1, %s) n",
                (USERS,),
            )
            conn.execute("INSERT INTO workspaces (name, personal, created_by) SELECT 'B', true, id FROM users")
            conn.execute(
                "INSERT INTO tasks (owner_id, workspace_id, title, due_date)"
                " SELECT w.created_by, w.id, 'task ' || n, now() + interval '1 hour'"
                " FROM workspaces w, generate_series(1, %s) n",
                (count // USERS,),
            )
            conn.execute(
                "INSERT INTO reminders (task_id, user_id, at, scheduled_at, occurrence, fire_at)"
                " SELECT id, owner_id, due, due, due, due FROM"
                " (SELECT id, owner_id, now() - interval '1 minute' AS due FROM tasks) t"
            )
        conn.execute("VACUUM ANALYZE reminders")


def format_only(row: dict[str, Any]) -> None:
    dispatch.message(row)


def run_dispatcher(settings: Settings, ready: Any, go: Event, results: Any) -> None:
    """One dispatcher process: connect and warm up, wait for the start, dispatch until done."""
    database = Database(settings)
    ledger = DeliveryLedger(settings)
    database.ping(timeout=5)
    ledger.state("warm-up")  # opens the HTTP connection to the ledger
    ready.put(os.getpid())
    go.wait()
    cpu = time.process_time()
    outcome = dispatch.dispatch_due(database, settings, ledger, format_only)
    cpu = time.process_time() - cpu
    database.close()
    results.put((vars(outcome), cpu))


def timed(url: str, aws: str, moto: psutil.Process, dispatchers: int, batch: int, reminders: int) -> Run:
    seed(url, reminders)
    settings = Settings(
        database_url=url,
        aws_endpoint_url=aws,
        reminder_batch_size=batch,
        database_pool_max=2,
        delivery_ledger_table=f"ledger-{uuid.uuid4().hex[:8]}",
    )
    ensure_tables(settings)
    spawn = multiprocessing.get_context("spawn")  # no sockets or pools inherited from this process
    ready, results, go = spawn.Queue(), spawn.Queue(), spawn.Event()
    processes = [spawn.Process(target=run_dispatcher, args=(settings, ready, go, results)) for _ in range(dispatchers)]
    for process in processes:
        process.start()
    for _ in processes:
        ready.get(timeout=60)
    cpu_before, started = cpu_seconds(moto), time.perf_counter()
    go.set()
    finished = [results.get(timeout=600) for _ in processes]
    for process in processes:
        process.join()
    elapsed = time.perf_counter() - started
    ledger_cpu = cpu_seconds(moto) - cpu_before
    check_exactly_once(url, [outcome for outcome, _ in finished], reminders, dispatchers)
    dispatcher_cpu = sum(cpu for _, cpu in finished)
    return Run(
        dispatchers,
        reminders / elapsed,
        ledger_cpu / elapsed,
        dispatcher_cpu / reminders * 1000,
        ledger_cpu / reminders * 1000,
    )


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def check_exactly_once(url: str, outcomes: list[dict[str, int]], reminders: int, dispatchers: int) -> None:
    totals = {key: sum(outcome[key] for outcome in outcomes) for key in outcomes[0]}
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FILTER (WHERE status = 'sent' AND sent_at IS NOT NULL), count(*) FROM reminders"
        ).fetchone()
    sent_rows, all_rows = row if row else (0, 0)
    clean = totals == {"sent": reminders, "already_sent": 0, "missed": 0, "retried": 0, "failed": 0}
    if not clean or sent_rows != reminders or all_rows != reminders:
        raise SystemExit(
            f"{dispatchers} dispatcher(s): {totals}, {sent_rows} of {all_rows} rows sent:"
            " not every reminder sent exactly once"
        )


def summarize(runs: list[Run], rounds: int) -> dict[int, float]:
    medians = {n: statistics.median(run.per_second for run in runs if run.dispatchers == n) for n in DISPATCHER_COUNTS}
    print(
        "\ndispatchers | reminders/s (median) | per round | moto core busy | CPU ms per reminder:"
        " dispatchers + ledger (medians)"
    )
    for n in DISPATCHER_COUNTS:
        mine = [run for run in runs if run.dispatchers == n]
        rates = ", ".join(f"{run.per_second:.0f}" for run in mine)
        busy = statistics.median(run.ledger_busy for run in mine)
        cost = (
            f"{statistics.median(run.dispatcher_ms for run in mine):.1f} + "
            f"{statistics.median(run.ledger_ms for run in mine):.1f}"
        )
        print(f"{n:>11} | {medians[n]:>20.0f} | {rates} | {busy:.0%} | {cost}")
    for n in DISPATCHER_COUNTS[1:]:
        ratios = [per_round(runs, n, r) / per_round(runs, 1, r) for r in range(rounds)]
        print(f"{n} ÷ 1: {statistics.median(ratios):.2f} (rounds {min(ratios):.2f}-{max(ratios):.2f})")
    return medians


def ceiling(runs: list[Run]) -> float:
    """What two idle cores could do at the measured CPU cost: the ledger server is one process,
    so it can use one core at most; everything measured shares both."""
    dispatcher_ms = statistics.median(run.dispatcher_ms for run in runs)
    ledger_ms = statistics.median(run.ledger_ms for run in runs)
    cores = os.cpu_count() or 1
    both = 1000 * cores / (dispatcher_ms + ledger_ms)
    ledger_alone = 1000 / ledger_ms
    print(
        f"ceiling on {cores} idle cores at this cost: {min(both, ledger_alone):.0f}/s "
        f"({both:.0f}/s for all the CPU, {ledger_alone:.0f}/s for the ledger server's one core; "
        "PostgreSQL not counted)"
    )
    return min(both, ledger_alone)


def per_round(runs: list[Run], dispatchers: int, round_number: int) -> float:
    return [run for run in runs if run.dispatchers == dispatchers][round_number].per_second


def plot(runs: list[Run], medians: dict[int, float], limit: float, title: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6.4, 4.2), dpi=120)
    axes.scatter(
        [run.dispatchers for run in runs],
        [run.per_second for run in runs],
        color="0.6",
        s=18,
        label="one run",
        zorder=2,
    )
    counts = list(DISPATCHER_COUNTS)
    axes.plot(counts, [medians[n] for n in counts], marker="o", color="tab:blue", label="median", zorder=3)
    axes.plot(counts, [medians[1] * n for n in counts], linestyle="--", color="0.4", label="linear from 1")
    axes.axhline(limit, linestyle=":", color="tab:red", label="ceiling on idle cores at the measured CPU cost")
    axes.set_xticks(counts)
    axes.set_xlabel("dispatcher processes")
    axes.set_ylabel("reminders delivered per second")
    axes.set_ylim(bottom=0)
    axes.set_title(title, fontsize=9)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reminders", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=50, help="reminders claimed per transaction (the default)")
    parser.add_argument("--plot", type=Path, default=PLOT)
    args = parser.parse_args()
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    load_before = os.getloadavg()
    print(f"{os.cpu_count()} cores, load average {load_before[0]:.2f}, Python {platform.python_version()}")
    runs: list[Run] = []
    with own_database() as url, moto_server() as (aws, moto):
        for round_number in range(args.rounds):
            shift = round_number % len(DISPATCHER_COUNTS)
            for n in DISPATCHER_COUNTS[shift:] + DISPATCHER_COUNTS[:shift]:
                runs.append(timed(url, aws, moto, n, args.batch, args.reminders))
                print(
                    f"round {round_number + 1}: {n} dispatcher(s) {runs[-1].per_second:.0f}/s, "
                    f"moto core {runs[-1].ledger_busy:.0%} busy"
                )
    runs.sort(key=lambda run: run.dispatchers)  # stable: each count's runs stay in round order
    medians = summarize(runs, args.rounds)
    limit = ceiling(runs)
    load_after = os.getloadavg()
    print(f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after")
    plot(
        runs,
        medians,
        limit,
        f"{args.reminders} due reminders per run, batches of {args.batch}, {args.rounds} "
        f"rounds; {os.cpu_count()} cores, load average {load_before[0]:.1f} → {load_after[0]:.1f}",
        args.plot,
    )
    print(f"plot: {args.plot}")


if __name__ == "__main__":
    main()
