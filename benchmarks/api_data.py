"""The API benchmark's data: throwaway databases, tasks generated in SQL, cursors, plans.

Tasks are made by one INSERT ... SELECT over generate_series, in created_at order, with
the owners interleaved in the heap as many users writing over the same year would leave
them. Of every 100 consecutive tasks, one goes to each "list" user (up to `list_tasks`
each; there is one list user per load connection, so that a connection's cache bumps
are its own), the rest of the first 20 to filler users round-robin, and 80 to the "deep"
user. Titles and descriptions are words from a small vocabulary; priorities, due dates
(a quarter of them null) and completion vary. `setseed` makes every run produce the
same rows. The insert runs with session_replication_role = replica: no triggers and no
foreign-key checks, the rows being consistent by construction. The secondary indexes are
dropped for the insert and rebuilt after it from their own definitions (pg_get_indexdef),
which is about a third faster than maintaining them row by row; the result is the same
indexes, packed as a fresh CREATE INDEX packs them.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from functions.domain.tasks import tasks as task_sql
from functions.platform.migrate import apply_migrations

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
FILLER_USERS = 98
SHARED_SLOTS = 20  # of every 100 tasks: list users' and fillers'; the other 80 are the deep user's
WORDS = (
    "buy",
    "milk",
    "call",
    "plan",
    "review",
    "draft",
    "send",
    "invoice",
    "fix",
    "bug",
    "write",
    "report",
    "book",
    "flight",
    "pay",
    "rent",
    "clean",
    "kitchen",
    "prepare",
    "slides",
    "update",
    "budget",
    "renew",
    "passport",
    "schedule",
    "meeting",
    "water",
    "plants",
    "order",
    "parts",
    "backup",
    "laptop",
    "read",
    "chapter",
    "test",
    "release",
    "email",
    "team",
    "sort",
    "photos",
    "cancel",
    "gym",
    "walk",
    "dog",
    "pick",
    "groceries",
    "file",
    "taxes",
    "repair",
    "bike",
    "paint",
    "fence",
    "measure",
    "window",
)
# The seconds between two consecutive tasks of the whole table: 1M tasks span about a year.
STEP_SECONDS = 31


def database_url(name: str) -> str:
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def create_database(prefix: str) -> str:
    """CREATE DATABASE <prefix>_<random> with the migrations applied; returns its name."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    apply_migrations(database_url(name))
    return name


def drop_database(name: str) -> None:
    """DROP DATABASE ... WITH (FORCE): connections left open by a stopped stack do not block it."""
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextmanager
def databases(prefix: str, count: int) -> Iterator[list[str]]:
    """`count` fresh databases, dropped on the way out whatever happens (also on Ctrl-C)."""
    names: list[str] = []
    try:
        for _ in range(count):
            names.append(create_database(prefix))
        yield names
    finally:
        for name in names:
            with suppress(psycopg.Error):
                drop_database(name)


def connect(name: str) -> psycopg.Connection[dict[str, Any]]:
    return psycopg.connect(database_url(name), autocommit=True, row_factory=dict_row)


@dataclass(frozen=True)
class Seeded:
    rows: int
    by_owner: dict[str, int]
    seconds: float


def seed_tasks(name: str, rows: int, deep_user: str, list_users: list[str], list_tasks: int) -> Seeded:
    """`rows` tasks in one statement (see the module docstring), then VACUUM ANALYZE."""
    if len(list_users) > SHARED_SLOTS:
        raise ValueError(f"at most {SHARED_SLOTS} list users")
    began = time.perf_counter()
    with connect(name) as conn:
        fillers = [
            row["id"]
            for row in conn.execute(
                "INSERT INTO users (email, password_hash)"
                " SELECT 'filler-' || n || '@example.com', 'not-a-hash' FROM generate_series(1, %s) AS n"
                " RETURNING id::text AS id",
                (FILLER_USERS,),
            ).fetchall()
        ]
        indexes = conn.execute(
            "SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS definition"
            " FROM pg_index WHERE indrelid = 'tasks'::regclass AND NOT indisprimary"
            # A constraint's index (the manual order's unique place) stays: it goes with its constraint.
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = indexrelid)"
        ).fetchall()
        for index in indexes:
            conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(index["name"])))
        workspaces = _has_workspaces(conn)
        if workspaces:  # every user's tasks go to their personal workspace, as the migration moved them
            conn.execute(
                "INSERT INTO workspaces (name, personal, created_by) SELECT 'Personal', true, u.id"
                " FROM users u WHERE NOT EXISTS"
                " (SELECT 1 FROM workspaces w WHERE w.personal AND w.created_by = u.id)"
            )
            conn.execute(
                "INSERT INTO memberships (workspace_id, user_id, role)"
                " SELECT id, created_by, 'owner' FROM workspaces WHERE personal ON CONFLICT DO NOTHING"
            )
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET maintenance_work_mem = '256MB'")
        # No triggers and no foreign-key checks for the bulk insert, on this connection only: the
        # generation trigger (0005) would update the workspace row once per task inserted.
        conn.execute("SET session_replication_role = replica")
        conn.execute("SELECT setseed(0.42)")
        conn.execute(
            _insert_statement(workspaces),
            {
                "rows": rows,
                "deep": deep_user,
                "lists": list_users,
                "nl": len(list_users),
                "list_tasks": list_tasks,
                "shared": SHARED_SLOTS,
                "fillers": fillers,
                "nf": len(fillers),
                "words": list(WORDS),
                "nw": len(WORDS),
                "step": f"{STEP_SECONDS} seconds",
            },
        )
        conn.execute("RESET session_replication_role")
        for index in indexes:
            conn.execute(index["definition"])
        conn.execute("VACUUM (ANALYZE) tasks")
        counts = conn.execute(
            "SELECT owner_id::text AS owner, count(*) AS n FROM tasks WHERE owner_id = ANY(%s) GROUP BY owner_id",
            ([deep_user, *list_users],),
        ).fetchall()
        total = conn.execute("SELECT count(*) AS n FROM tasks").fetchone()
    assert total is not None
    return Seeded(int(total["n"]), {row["owner"]: int(row["n"]) for row in counts}, time.perf_counter() - began)


def _has_workspaces(conn: psycopg.Connection[dict[str, Any]]) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM information_schema.columns WHERE table_name = 'tasks' AND column_name = 'workspace_id'"
        ).fetchone()
        is not None
    )


def _insert_statement(workspaces: bool) -> sql.SQL:
    def word() -> str:
        return "(%(words)s::text[])[1 + floor(random() * %(nw)s)::int]"

    def words(count: int) -> str:
        return " || ' ' || ".join(word() for _ in range(count))

    workspace_column, workspace_value, workspace_join = (
        (", workspace_id", ", w.id", " JOIN workspaces w ON w.personal AND w.created_by = generated.owner")
        if workspaces
        else ("", "", "")
    )
    return sql.SQL(
        "INSERT INTO tasks (owner_id, title, description, completed, priority, due_date, created_at,"
        " updated_at, completed_at" + workspace_column + ")"
        " SELECT owner, title, description, done, priority,"
        "  CASE WHEN random() < 0.25 THEN NULL ELSE created + (floor(random() * 90) - 30) * interval '1 day' END,"
        "  created, created, CASE WHEN done THEN created + interval '2 days' END" + workspace_value + " FROM (SELECT"
        "  CASE WHEN mod(g, 100) < %(nl)s AND g / 100 < %(list_tasks)s THEN (%(lists)s::uuid[])[1 + mod(g, 100)]"
        "       WHEN mod(g, 100) < %(shared)s THEN (%(fillers)s::uuid[])[1 + mod(g / 100 + g, %(nf)s)]"
        "       ELSE %(deep)s::uuid END AS owner,"
        "  " + words(3) + " || ' ' || g AS title,"
        "  " + words(8) + " AS description,"
        "  random() < 0.3 AS done,"
        "  (ARRAY[1, 2, 2, 2, 3, 3])[1 + floor(random() * 6)::int]::smallint AS priority,"
        "  now() - (%(rows)s - 1 - g) * %(step)s::interval AS created"
        "  FROM generate_series(0, %(rows)s - 1) AS g) AS generated" + workspace_join
    )


# What the generation trigger of migration 0005 runs for a write in a workspace.
BUMP_GENERATION = "UPDATE workspaces SET cache_generation = cache_generation + 1 WHERE id = %s"


def generation_in_database(name: str) -> bool:
    """True when workspaces carry their cache generation (0005); before, it was a Redis key."""
    with connect(name) as conn:
        return (
            conn.execute(
                "SELECT 1 FROM information_schema.columns"
                " WHERE table_name = 'workspaces' AND column_name = 'cache_generation'"
            ).fetchone()
            is not None
        )


def bump_connection(name: str) -> psycopg.Connection[dict[str, Any]]:
    """A connection for generation bumps: each one commits at once, without waiting for the WAL flush."""
    conn = connect(name)
    conn.execute("SET synchronous_commit = off")
    return conn


def generation(conn: psycopg.Connection[dict[str, Any]], scope: str) -> int:
    row = conn.execute("SELECT cache_generation FROM workspaces WHERE id = %s", (scope,)).fetchone()
    return int(row["cache_generation"]) if row else 0


def spare_workspace(name: str, user_id: str) -> str:
    """A workspace of the user's that no request reads: what a hit run bumps instead of the real one."""
    with connect(name) as conn:
        if not _has_workspaces(conn):
            return f"spare-{user_id}"
        row = conn.execute(
            "INSERT INTO workspaces (name, created_by) VALUES ('benchmark spare', %s) RETURNING id::text AS id",
            (user_id,),
        ).fetchone()
    assert row is not None
    return str(row["id"])


def scope_of(name: str, user_id: str) -> str:
    """What a user's list is scoped and cached by: their personal workspace (migration 0003 on),
    or the user before workspaces existed."""
    with connect(name) as conn:
        if not _has_workspaces(conn):
            return user_id
        row = conn.execute(
            "SELECT id::text AS id FROM workspaces WHERE personal AND created_by = %s", (user_id,)
        ).fetchone()
    if row is None:
        raise ValueError(f"user {user_id} has no personal workspace")
    return str(row["id"])


def cursor_at(
    name: str, scope: str, position: int, limit: int = 50, query: task_sql.TaskQuery | None = None
) -> tuple[str, str]:
    """The cursor the API returns on the page that ends just before `position` (0-based) in the
    default order (created_at DESC, id DESC), and the id of the task at `position`: the next
    page starts there. The row is read in SQL and encoded by the API's own cursor code, as if
    the pages before it had been walked. A cursor carries its query's filters: `query` (with
    the default order) when they are not the defaults, a search for instance; its position is
    still counted over all the workspace's tasks."""
    with connect(name) as conn:
        column = sql.Identifier("workspace_id" if _has_workspaces(conn) else "owner_id")
        rows = conn.execute(
            sql.SQL(
                "SELECT t.id::text AS id, (t.created_at)::text AS sort_key FROM tasks t WHERE t.{} = %s"
                " ORDER BY t.created_at DESC, t.id DESC OFFSET %s LIMIT 2"
            ).format(column),
            (scope, position - 1),
        ).fetchall()
    if len(rows) < 2:
        raise ValueError(f"fewer than {position + 1} tasks in {scope}")
    cursor = task_sql._encode_cursor(query or task_sql.TaskQuery(limit=limit), rows[0]["sort_key"], rows[0]["id"])
    return cursor, rows[1]["id"]


class _Explaining:
    """Stands in for the connection list_page is given: runs each statement for real (list_page
    may choose its next statement from the rows of one) and keeps its EXPLAIN (ANALYZE, BUFFERS)."""

    def __init__(self, conn: psycopg.Connection[dict[str, Any]], generic: bool) -> None:
        self.conn, self.generic = conn, generic
        self.plans: list[str] = []

    def execute(
        self, statement: sql.Composed, params: tuple[Any, ...] | list[Any] = (), prepare: bool | None = None
    ) -> Any:
        if self.generic and prepare is not False:  # a statement run unprepared never gets a generic plan
            text = statement.as_string(self.conn)
            parts = text.split("%s")
            numbered = parts[0] + "".join(f"${index}{part}" for index, part in enumerate(parts[1:], 1))
            name = sql.Identifier(f"bench_page_{len(self.plans)}")
            self.conn.execute("SET plan_cache_mode = force_generic_plan")
            self.conn.execute(sql.SQL("PREPARE {} AS {}").format(name, sql.SQL(numbered)))
            arguments = sql.SQL(", ").join(sql.Literal(value) for value in params)
            explain = sql.SQL("EXPLAIN (ANALYZE, BUFFERS) EXECUTE {} ({})").format(name, arguments)
            rows = self.conn.execute(explain, prepare=False).fetchall()
        else:
            rows = self.conn.execute(
                sql.SQL("EXPLAIN (ANALYZE, BUFFERS) ") + statement, params, prepare=False
            ).fetchall()
        self.plans.append("\n".join(str(next(iter(row.values()))) for row in rows))
        return self.conn.execute(statement, params, prepare=False)


def explain_plans(name: str, scope: str, query: task_sql.TaskQuery, generic: bool = False) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of each statement GET /api/tasks runs for `query`, in order.

    The statements are the ones tasks.list_page builds and runs (captured, not copied; a search
    may run two, the second chosen by the rows of the first). With `generic`, the plans
    PostgreSQL uses for them as prepared statements once it settles on a generic plan (psycopg
    prepares a query after 5 runs on a connection, PostgreSQL may go generic after 5 more),
    except for a statement list_page runs unprepared.
    """
    with connect(name) as conn:
        explaining = _Explaining(conn, generic)
        task_sql.list_page(explaining, scope, query)  # type: ignore[arg-type]
    return explaining.plans


def explain_page(name: str, scope: str, query: task_sql.TaskQuery, generic: bool = False) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of the statements GET /api/tasks runs for `query` (see
    explain_plans), one after the other."""
    return "\n\n".join(explain_plans(name, scope, query, generic))
