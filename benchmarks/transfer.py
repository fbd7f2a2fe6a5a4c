"""Import and export at 10,000 tasks: the time each takes, against the request's time limit.

Times the work of POST /api/import (reading the file, then the one transaction that writes
it) and of GET /api/export (every page, streamed to nowhere), on a fresh migrated database on
the local PostgreSQL, as the handlers run it (functions/domain/transfer). The Todoist file has
10,000 tasks, each with a label, a date, a priority and one sub-task (a checklist item); the
JSON file is the export of the tasks the first import made, imported again into a second,
empty workspace.

    .venv/bin/python benchmarks/transfer.py [--tasks 10000] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api_data import connect, database_url, databases

from functions.domain.transfer import export, importing, reading
from functions.domain.transfer.models import ImportedTask
from functions.domain.workspaces import workspaces
from functions.platform.db import Database
from functions.platform.settings import Settings

T = TypeVar("T")


def todoist_file(tasks: int) -> str:
    lines = ["TYPE,CONTENT,DESCRIPTION,PRIORITY,INDENT,AUTHOR,RESPONSIBLE,DATE,DATE_LANG,TIMEZONE"]
    for n in range(tasks):
        lines.append(
            f"task,Task {n} @label{n % 20},Notes for {n},{1 + n % 4},1,Ana (1),,2031-0{1 + n % 9}-1{n % 10},en,UTC"
        )
        lines.append(f"task,Step of {n},,1,2,Ana (1),,,en,")
    return "\r\n".join(lines) + "\r\n"


Figures = dict[str, list[float]]


def timed(figures: Figures, name: str, work: Callable[[], T]) -> T:
    began = time.perf_counter()
    result = work()
    figures.setdefault(name, []).append(time.perf_counter() - began)
    return result


def one_run(figures: Figures, database: Database, user: str, first: str, second: str, csv_text: str) -> None:
    """Todoist file into `first`; its JSON export into `second`."""
    found = timed(figures, "read Todoist CSV", lambda: reading.read("todoist-csv", csv_text, "UTC", datetime.now(UTC)))
    assert not found.problems, found.problems[:3]
    tasks = [task for _, task in found.tasks]

    def write(workspace: str, tasks: list[ImportedTask]) -> importing.Written:
        return database.transaction(lambda conn: importing.write(conn, user, workspace, tasks, "UTC"))

    written = timed(figures, "write (one transaction)", lambda: write(first, tasks))
    assert written.created == len(tasks)
    body = timed(
        figures, "export JSON", lambda: "".join(export.stream(database, user, first, "json", datetime.now(UTC)))
    )
    timed(figures, "export CSV", lambda: "".join(export.stream(database, user, first, "csv", datetime.now(UTC))))
    again = timed(figures, "read our JSON", lambda: reading.read("taskforge-json", body, "UTC", datetime.now(UTC)))
    timed(figures, "write JSON (one transaction)", lambda: write(second, [task for _, task in again.tasks]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    figures: Figures = {}
    csv_text = todoist_file(arguments.tasks)
    with databases("tf_bench_transfer", 1) as (name,):
        os.environ["DATABASE_URL"] = database_url(name)
        database = Database.for_settings(Settings.from_env())
        with connect(name) as conn:
            row = conn.execute(
                "INSERT INTO users (email, password_hash) VALUES ('bench@example.com', 'x') RETURNING id::text AS id"
            ).fetchone()
            assert row is not None
            user = row["id"]
            workspaces.create_personal(conn, user)
        for run in range(arguments.runs):
            with connect(name) as conn:
                first = workspaces.create(conn, user, f"Todoist {run}")["id"]
                second = workspaces.create(conn, user, f"Copy {run}")["id"]
            one_run(figures, database, user, first, second, csv_text)
        database.close()
    megabytes = len(csv_text.encode()) / 1e6
    print(f"{arguments.tasks} tasks, a {megabytes:.1f} MB Todoist CSV, {arguments.runs} runs (median, max):")
    for label, seconds in figures.items():
        print(f"  {label:32} {statistics.median(seconds):6.2f} s  {max(seconds):6.2f} s")


if __name__ == "__main__":
    main()
