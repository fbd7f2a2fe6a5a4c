"""Reminder dispatch throughput: one dispatcher against two, measured side by side.

Each round seeds N due reminders in a database of its own, runs the dispatcher code
(functions.domain.reminders.dispatch) in one process, then seeds again and runs it in two
processes at once, and prints reminders per second for both and the ratio two ÷ one.
The sender is a stub and so is the DynamoDB ledger (it always grants the claim): what
is measured is the PostgreSQL side, claiming with FOR UPDATE SKIP LOCKED and marking
sent, which is what a second dispatcher can scale. The machine has 2 cores, so the
ideal ratio is near 2 only while PostgreSQL has spare capacity.

    .venv/bin/python benchmarks/reminders.py [--reminders 5000] [--rounds 3] [--batch 100]
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import time
import uuid
from multiprocessing.queues import Queue
from pathlib import Path

import psycopg
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from functions.domain.reminders import dispatch, schedules
from functions.platform.db import Database
from functions.platform.migrate import apply_migrations
from functions.platform.settings import Settings

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


class GrantingLedger:
    """The ledger's interface with nothing behind it: every claim is granted."""

    lease_seconds = 60

    def claim(self, delivery_id: str) -> bool:
        return True

    def confirm(self, delivery_id: str) -> None:
        pass

    def release(self, delivery_id: str) -> None:
        pass

    def state(self, delivery_id: str) -> None:
        return None


def seed(url: str, count: int) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE reminders, tasks, memberships, workspaces, users CASCADE")
        user_row = conn.execute(
            "INSERT INTO users (email, password_hash) VALUES ('bench@example.com', 'x') RETURNING id"
        ).fetchone()
        assert user_row is not None  # INSERT ... RETURNING returns the row it inserted
        user = user_row[0]
        workspace_row = conn.execute(
            "INSERT INTO workspaces (name, personal, created_by) VALUES ('B', true, %s) RETURNING id", (user,)
        ).fetchone()
        assert workspace_row is not None
        workspace = workspace_row[0]
        conn.execute(
            "INSERT INTO tasks (owner_id, workspace_id, title, due_date)"
            " SELECT %s, %s, 'task ' || n, now() + interval '1 hour' FROM generate_series(1, %s) n",
            (user, workspace, count),
        )
        conn.execute(
            "INSERT INTO reminders (task_id, user_id, at) SELECT id, owner_id, now() - interval '1 minute' FROM tasks"
        )
        with conn.transaction():
            for (task_id,) in conn.execute("SELECT id FROM tasks").fetchall():
                schedules.recompute(conn, task_id)  # type: ignore[arg-type]
        conn.execute("VACUUM ANALYZE reminders")


def run_dispatcher(url: str, batch: int, sent: Queue[int]) -> None:
    settings = Settings(database_url=url, reminder_batch_size=batch, database_pool_max=2)
    database = Database(settings)
    outcome = dispatch.dispatch_due(database, settings, GrantingLedger(), lambda row: None)  # type: ignore[arg-type]
    database.close()
    sent.put(outcome.sent)


def timed(url: str, dispatchers: int, batch: int, expected: int) -> float:
    """Reminders per second with `dispatchers` processes draining the same table."""
    queue: Queue[int] = multiprocessing.Queue()
    processes = [multiprocessing.Process(target=run_dispatcher, args=(url, batch, queue)) for _ in range(dispatchers)]
    started = time.perf_counter()
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    elapsed = time.perf_counter() - started
    total = sum(queue.get() for _ in processes)
    if total != expected:
        raise SystemExit(f"{dispatchers} dispatcher(s) sent {total} of {expected}: not exactly once")
    return total / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reminders", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    name = f"tf_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = psycopg.conninfo.make_conninfo(ADMIN_URL, dbname=name)
    try:
        apply_migrations(url)
        one, two = [], []
        for round_number in range(1, args.rounds + 1):
            seed(url, args.reminders)
            one.append(timed(url, 1, args.batch, args.reminders))
            seed(url, args.reminders)
            two.append(timed(url, 2, args.batch, args.reminders))
            print(f"round {round_number}: one {one[-1]:.0f}/s, two {two[-1]:.0f}/s, ratio {two[-1] / one[-1]:.2f}")
        ratios = [b / a for a, b in zip(one, two, strict=True)]
        print(
            f"\nreminders dispatched per second ({args.reminders} per run, batches of {args.batch}, "
            f"{args.rounds} rounds):"
        )
        print(f"  one dispatcher : {statistics.median(one):.0f}/s (median)")
        print(f"  two dispatchers: {statistics.median(two):.0f}/s (median)")
        print(f"  two ÷ one      : {statistics.median(ratios):.2f} (spread {min(ratios):.2f}-{max(ratios):.2f})")
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


if __name__ == "__main__":
    main()
