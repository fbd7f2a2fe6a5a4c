"""Search at a million tasks: p50 and p99 of one page of GET /api/tasks?q=..., per kind of query.

What is timed is `tasks.list_page`, the database side of the request: the statements it runs
on one psycopg connection, as the list-tasks function runs them (dict rows; psycopg prepares
a statement after its 5th run, and PostgreSQL may then settle on a generic plan). Each kind
of query is timed on the first page and on a deep page (its cursor 90% into the workspace, in
the default order created_at desc), the kinds interleaved run by run so that the shared
machine's noise falls on all of them alike. Every page is checked against a plain reference
query (every match found by strpos, sorted): "same rows" must say yes.

The data is the API benchmark's (api_data.py): one INSERT ... SELECT generate_series, the deep
user's workspace holding 800,000 of 1,000,000 tasks, titles of three words and a number,
descriptions of eight words, from a 54-word vocabulary: every word is common (about 1 task in 5
contains it) and numbers are rare.

    .venv/bin/python benchmarks/search.py [--rows 1000000] [--runs 200] [--explain]
    .venv/bin/python benchmarks/search.py --database NAME [--migrate] ...  # a database seeded before
    .venv/bin/python benchmarks/search.py --keep ...                       # leaves its database behind

A database of its own is created and seeded (a few minutes at 1M tasks), and dropped at the
end unless --keep. With --database the script uses one seeded before (by --keep), and with
--migrate first applies the migrations it lacks on it, timing each: what a migration costs on
a populated table.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import api_data  # noqa: E402

from functions.domain.tasks import tasks as task_sql  # noqa: E402
from functions.platform.migrate import apply_migrations, discover  # noqa: E402

DEEP_EMAIL = "deep@example.com"
LIST_USERS = 16
LIST_TASKS = 10_000
LIMIT = 50
DEEP_AT = 0.9  # where the deep page starts, as a share of the workspace's tasks

# (label, q). The vocabulary's words each match about 19% of tasks; the title's number makes
# digit strings rare (a 5-digit string matches a few dozen titles of the million).
KINDS = (
    ("one rare word", "54321"),
    ("one common word", "milk"),
    ("two common words", "milk call"),
    ("two rare words", "12345 23456"),
    ("rare + common word", "54321 milk"),
    ("2-character word", "ug"),
    ("2-character word, no match", "qx"),
    ("no match", "zebra"),
    ("3-digit number (1 in 250)", "123"),
    ("three common words", "milk call bug"),
)


@dataclass
class Case:
    label: str
    page: str  # "first" or "deep"
    query: task_sql.TaskQuery
    expected: list[str]  # the ids of the page, from the reference query
    matches: int  # tasks of the workspace the words match, from the first page's position on
    seconds: list[float] = field(default_factory=list)
    steps: set[str] = field(default_factory=set)
    same_rows: bool = True


class Steps:
    """The connection list_page is given, noting the statements it runs: W for a walk of the sort
    order, T for the trigram step (the one it runs unprepared); "W": one walk sufficed."""

    def __init__(self, conn: psycopg.Connection[dict[str, Any]]) -> None:
        self.conn = conn
        self.taken = ""

    def execute(self, statement: Any, params: Any = None, prepare: bool | None = None) -> Any:
        self.taken += "T" if prepare is False else "W"
        return self.conn.execute(statement, params, prepare=prepare)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="tasks in the table (default 1000000)")
    parser.add_argument("--runs", type=int, default=200, help="timed runs of each case (default 200)")
    parser.add_argument("--warm-up", type=int, default=12, help="untimed runs of each case first (default 12)")
    parser.add_argument("--database", help="use this database, seeded before by --keep, instead of a new one")
    parser.add_argument("--migrate", action="store_true", help="with --database: apply its missing migrations")
    parser.add_argument("--keep", action="store_true", help="do not drop the database created")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN (ANALYZE, BUFFERS) of every case")
    parser.add_argument("--only", help="a comma-separated subset of the kinds, by their q")
    parser.add_argument("--budget", type=int, help="rows a search walks first (default: the API's)")
    parser.add_argument("--walk-limit", type=int, help="rows a search may walk in all (default: the API's)")
    args = parser.parse_args(argv)
    print(machine(), flush=True)
    began = time.perf_counter()
    name = args.database
    try:
        if name is None:
            name = api_data.create_database("bench_search")
            print(f"database {name}: seeding {args.rows} tasks", flush=True)
            seed(name, args.rows)
        elif args.migrate:
            migrate(name)
        return run(name, args)
    finally:
        if args.database is None and name is not None:
            if args.keep:
                print(f"database {name} kept (--database {name} uses it again)")
            else:
                api_data.drop_database(name)
        print(
            f"\nwall time {time.perf_counter() - began:.0f} s; load average "
            + "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
        )


def seed(name: str, rows: int) -> None:
    with api_data.connect(name) as conn:
        emails = [DEEP_EMAIL] + [f"list-{index}@example.com" for index in range(1, LIST_USERS + 1)]
        ids = [
            row["id"]
            for row in conn.execute(
                "INSERT INTO users (email, password_hash) SELECT e, 'not-a-hash' FROM unnest(%s::text[]) AS e"
                " RETURNING id::text AS id",
                (emails,),
            ).fetchall()
        ]
    seeded = api_data.seed_tasks(name, rows, ids[0], ids[1:], min(LIST_TASKS, rows // 100))
    print(f"seeded {seeded.rows} tasks in {seeded.seconds:.0f} s", flush=True)


def migrate(name: str) -> None:
    """Applies the migrations the database lacks one at a time, timing each."""
    url = api_data.database_url(name)
    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        for migration in discover():
            (Path(tmp) / f"{migration.version}.sql").write_text(migration.sql)
            began = time.perf_counter()
            applied = apply_migrations(url, Path(tmp))
            if applied:
                print(f"migration {', '.join(applied)} applied in {time.perf_counter() - began:.1f} s", flush=True)


def run(name: str, args: argparse.Namespace) -> int:
    with api_data.connect(name) as conn:
        row = conn.execute(
            "SELECT w.id::text AS id FROM workspaces w JOIN users u ON u.id = w.created_by"
            " WHERE w.personal AND u.email = %s",
            (DEEP_EMAIL,),
        ).fetchone()
        if row is None:
            raise RuntimeError(f"{name} has no {DEEP_EMAIL}: seed it with this script")
        scope = row["id"]
        total = conn.execute("SELECT count(*) AS n FROM tasks WHERE workspace_id = %s", (scope,)).fetchone()
        owned = int(total["n"]) if total else 0
        indexes = conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'tasks' ORDER BY 1").fetchall()
    print(
        f"database {name}: the deep workspace holds {owned} tasks; indexes of tasks: "
        + ", ".join(row["indexname"] for row in indexes),
        flush=True,
    )
    chosen = set(args.only.split(",")) if args.only else None
    kinds = [(label, q) for label, q in KINDS if chosen is None or q in chosen]
    if args.budget is not None:
        task_sql.SEARCH_WALK_BUDGET = args.budget
    if args.walk_limit is not None:
        task_sql.SEARCH_WALK_LIMIT = args.walk_limit
    print(
        f"walk budget {getattr(task_sql, 'SEARCH_WALK_BUDGET', '-')} rows first, "
        f"{getattr(task_sql, 'SEARCH_WALK_LIMIT', '-')} in all",
        flush=True,
    )
    position = int(owned * DEEP_AT)
    cases = []
    for label, q in kinds:
        first = task_sql.TaskQuery(q=q, limit=LIMIT)
        cursor, _ = api_data.cursor_at(name, scope, position, LIMIT, first)
        for page, query in (("first", first), ("deep", task_sql.TaskQuery(q=q, limit=LIMIT, cursor=cursor))):
            expected, matches = reference(name, scope, query)
            cases.append(Case(label, page, query, expected, matches))
    print(f"{len(cases)} cases; the deep page starts at position {position} of {owned}", flush=True)

    if args.explain:
        for case in cases:
            print(f"\n---- EXPLAIN (ANALYZE, BUFFERS): {case.label} (q={case.query.q}), {case.page} page")
            for index, plan in enumerate(api_data.explain_plans(name, scope, case.query), 1):
                print(f"  statement {index}:")
                print(summary(plan))

    with api_data.connect(name) as conn:
        steps = Steps(conn)
        for number in range(args.warm_up + args.runs):
            for case in cases:
                steps.taken = ""
                began = time.perf_counter()
                rows, _ = task_sql.list_page(steps, scope, case.query)  # type: ignore[arg-type]
                elapsed = time.perf_counter() - began
                if number >= args.warm_up:
                    case.seconds.append(elapsed)
                    case.steps.add(steps.taken)
                case.same_rows = case.same_rows and [row["id"] for row in rows] == case.expected[:LIMIT]

    print(f"\nlist_page, {args.runs} runs of each case after {args.warm_up} untimed ({LIMIT} tasks a page):")
    print(
        f"  {'kind':<28} {'q':<12} {'page':<6} {'matches':>8} {'rows':>5} {'p50 ms':>8} {'p99 ms':>8}"
        "  steps       same rows"
    )
    for case in cases:
        p50, p99 = quantile(case.seconds, 0.5), quantile(case.seconds, 0.99)
        print(
            f"  {case.label:<28} {case.query.q or '':<12} {case.page:<6} {case.matches:>8} "
            f"{min(len(case.expected), LIMIT):>5} {p50 * 1000:>8.2f} {p99 * 1000:>8.2f}"
            f"  {','.join(sorted(case.steps)):<10}  {'yes' if case.same_rows else 'NO'}"
        )
    return 0 if all(case.same_rows for case in cases) else 1


def reference(name: str, scope: str, query: task_sql.TaskQuery) -> tuple[list[str], int]:
    """The page's ids by a plain scan (each word a substring of the lowered text, by strpos, not
    LIKE), and how many tasks match from the page's start on."""
    words = list(dict.fromkeys(re.findall(r"\w+", query.q or "")))  # what the API's search is to match
    conditions = [sql.SQL("t.workspace_id = %s")]
    values: list[Any] = [scope]
    for word in words:
        conditions.append(sql.SQL("strpos(lower(t.title || ' ' || t.description), lower(%s)) > 0"))
        values.append(word)
    if query.cursor:
        key, last_id = task_sql._decode_cursor(query)
        conditions.append(sql.SQL("(t.created_at, t.id) < (%s::timestamptz, %s::uuid)"))
        values += [key, last_id]
    where = sql.SQL(" AND ").join(conditions)
    with api_data.connect(name) as conn:
        conn.execute("SET enable_indexscan = off")  # the scan must not lean on the plans being measured
        conn.execute("SET enable_bitmapscan = off")
        ids = conn.execute(
            sql.SQL(
                "SELECT t.id::text AS id FROM tasks t WHERE {} ORDER BY t.created_at DESC, t.id DESC LIMIT %s"
            ).format(where),
            (*values, query.limit + 1),
        ).fetchall()
        counted = conn.execute(sql.SQL("SELECT count(*) AS n FROM tasks t WHERE {}").format(where), values).fetchone()
    return [row["id"] for row in ids], int(counted["n"]) if counted else 0


def summary(plan: str) -> str:
    """The plan without the three per-row subplans of the page's columns (tags, checklist counts),
    which read empty tables here."""
    kept, skipping = [], None
    for line in plan.splitlines():
        indent = len(line) - len(line.lstrip())
        if skipping is not None and indent > skipping:
            continue
        skipping = None
        if re.match(r"\s*SubPlan \d", line):
            skipping = indent
            continue
        kept.append("    " + line)
    return "\n".join(kept)


def quantile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    with api_data.connect("postgres") as conn:
        version = conn.execute("SHOW server_version").fetchone()
        buffers = conn.execute("SHOW shared_buffers").fetchone()
    return (
        f"machine: {os.cpu_count()} cores ({model}), Python {platform.python_version()}, PostgreSQL "
        f"{version['server_version'] if version else '?'} (shared_buffers "
        f"{buffers['shared_buffers'] if buffers else '?'}); load average "
        + "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    )


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))  # run the finally blocks
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    except (RuntimeError, psycopg.Error, OSError) as error:
        print(f"ERROR the benchmark could not run: {error}", file=sys.stderr)
        sys.exit(1)
