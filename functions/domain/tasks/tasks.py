"""SQL for the task aggregate. Every statement is scoped to the caller's memberships:
a task in a workspace the caller does not belong to is indistinguishable from one
that does not exist (404); a viewer may read but not change it (403)."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from psycopg import errors, sql

from functions.catalog import TaskEventKind
from functions.domain.activity import outbox
from functions.domain.auth import auth
from functions.domain.reminders import schedules
from functions.domain.tasks import ordering, recurrence
from functions.domain.tasks.models import SortField, SortOrder, TaskCreate, TaskPatch
from functions.domain.workspaces import workspaces
from functions.platform.db import Connection
from functions.platform.errors import BadRequest, Conflict, PreconditionFailed, Unprocessable
from functions.platform.http import INVALID_CURSOR, decode_cursor, encode_cursor
from functions.platform.tokens import Claims

# A task as the API shows it: its columns, its tags and its checklist's progress.
COLUMNS = sql.SQL(
    "t.id::text AS id, t.title, t.description, t.completed, t.priority, t.due_date, t.created_at, t.updated_at,"
    " t.completed_at, t.owner_id::text AS owner, t.workspace_id::text AS workspace_id, t.version,"
    " t.recurrence, t.timezone, t.series_start, t.occurrence_local, t.position,"
    " COALESCE((SELECT json_agg(json_build_object('id', g.id, 'name', g.name, 'color', g.color)"
    "   ORDER BY lower(g.name), g.id) FROM task_tags tt JOIN tags g ON g.id = tt.tag_id"
    "   WHERE tt.task_id = t.id), '[]'::json) AS tags,"
    " json_build_object("
    "   'done', (SELECT count(*) FROM checklist_items c WHERE c.task_id = t.id AND c.done),"
    "   'total', (SELECT count(*) FROM checklist_items c WHERE c.task_id = t.id)) AS checklist_progress"
)
_SORT_EXPRESSIONS = {
    "created_at": sql.SQL("t.created_at"),
    "due_date": sql.SQL("COALESCE(t.due_date, 'infinity'::timestamptz)"),
    "priority": sql.SQL("t.priority"),
    "position": sql.SQL("t.position"),
}
_SORT_CASTS = {"created_at": "timestamptz", "due_date": "timestamptz", "priority": "smallint", "position": "text"}
_WORD = re.compile(r"\w+", re.UNICODE)
MAX_TAG_FILTERS = 10
# What a PATCH may say about a task's place in its list (TaskPatch), and the one field they change.
PLACEMENT_FIELDS = ("position", "after", "before")
_CHANGE_NAMES = {"after": "position", "before": "position"}
MAX_SEARCH_WORDS = 16
# What a search word is looked for in, lowercased; tasks_text_trgm (migration 0012) indexes
# exactly this expression.
SEARCHED_TEXT = "lower(t.title || ' ' || t.description)"
# Rows of a workspace a search walks in sort order first, and at most in all, before it turns
# to the trigram index (see _search_page); chosen by benchmarks/search.py, figures in
# benchmarks/RESULTS.md.
SEARCH_WALK_BUDGET = 2000
SEARCH_WALK_LIMIT = 20_000
# A word the trigram index can look up: pg_trgm makes trigrams of runs of letters and digits.
_TRIGRAMS = re.compile(r"[^\W_]{3}")


@dataclass(frozen=True)
class TaskQuery:
    completed: bool | None = None
    priority: int | None = None
    due_before: datetime | None = None
    due_after: datetime | None = None
    q: str | None = None
    tags: tuple[str, ...] = ()
    sort: SortField = "created_at"
    order: SortOrder = "desc"
    limit: int = 50
    cursor: str | None = None

    def filters_digest(self) -> str:
        filters = {k: v for k, v in asdict(self).items() if k not in ("limit", "cursor")}
        return hashlib.sha256(json.dumps(filters, default=str, sort_keys=True).encode()).hexdigest()[:16]


def load(conn: Connection, user_id: str, task_id: str, write: bool = False, lock: bool = False) -> dict[str, Any]:
    """The task with the caller's role in its workspace; 404 for non-members, 403 for a viewer's write."""
    row = conn.execute(
        sql.SQL(
            "SELECT {}, m.role FROM tasks t JOIN memberships m ON m.workspace_id = t.workspace_id"
            " AND m.user_id = %s WHERE t.id = %s{}"
        ).format(COLUMNS, sql.SQL(" FOR UPDATE OF t" if lock else "")),
        (user_id, task_id),
    ).fetchone()
    workspaces.check(row["role"] if row else None, write, "task")
    assert row is not None
    return row


def load_current(conn: Connection, claims: Claims, task_id: str) -> dict[str, Any]:
    """load() for a read, the caller's token checked in the same statement: one round trip.
    No row: a revoked token is refused (401) as auth.ensure_current refuses it, else 404."""
    row = conn.execute(
        sql.SQL(
            "SELECT {}, m.role FROM tasks t JOIN memberships m ON m.workspace_id = t.workspace_id"
            " AND m.user_id = %(user)s JOIN users u ON u.id = m.user_id AND u.token_version = %(version)s"
            " WHERE t.id = %(task)s"
        ).format(COLUMNS),
        {"user": claims.user_id, "version": claims.token_version, "task": task_id},
    ).fetchone()
    if row is None:
        auth.ensure_current(conn, claims)
    workspaces.check(row["role"] if row else None, False, "task")
    assert row is not None
    return row


def create(conn: Connection, claims: Claims, task: TaskCreate) -> dict[str, Any]:
    """One task at the end of its workspace: session, role, lock and time zone settled in one
    statement (auth.open_for_writing), the last place read after it in the same round trip;
    the row; its event (in a pipeline it goes with the COMMIT)."""
    scope = auth.open_for_writing(conn, claims, task.workspace_id, ordering.LAST_KEY_OF_WRITTEN_WORKSPACE)
    [place] = ordering.keys_after(scope.read_after_lock, 1)
    row = _insert(conn, scope.user_id, scope.workspace_id, task, scope.timezone, place)
    outbox.record(conn, "created", row, scope.user_id)
    return row


def create_many(
    conn: Connection, user_id: str, tasks: list[TaskCreate], default_timezone: str | None = None
) -> list[dict[str, Any]]:
    workspace_ids = {task.workspace_id for task in tasks}
    resolved = {wid: workspaces.resolve(conn, user_id, wid, write=True)[0] for wid in workspace_ids}
    timezone = default_timezone or _user_timezone(conn, user_id)
    # New tasks go to the end of their list, in the order sent.
    counts = Counter(resolved[task.workspace_id] for task in tasks)
    places = {scope: iter(ordering.at_end(conn, scope, counts[scope])) for scope in sorted(counts)}
    created = [
        _insert(conn, user_id, resolved[task.workspace_id], task, timezone, next(places[resolved[task.workspace_id]]))
        for task in tasks
    ]
    for row in created:
        outbox.record(conn, "created", row, user_id)
    return created


def _insert(
    conn: Connection, user_id: str, workspace_id: str, task: TaskCreate, timezone: str, position: str
) -> dict[str, Any]:
    """The new task's row as the API shows it, from the INSERT itself (no tags or checklist yet)."""
    series = _series(task.recurrence, task.timezone or timezone, task.due_date)
    row = conn.execute(
        sql.SQL(
            "INSERT INTO tasks AS t (owner_id, workspace_id, title, description, completed, priority, due_date,"
            " completed_at, recurrence, timezone, series_start, occurrence_local, position)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, CASE WHEN %s THEN clock_timestamp() END, %s, %s, %s, %s, %s)"
            " RETURNING {}"
        ).format(COLUMNS),
        (
            user_id,
            workspace_id,
            task.title,
            task.description,
            task.completed,
            task.priority,
            task.due_date,
            task.completed,
            *series,
            position,
        ),
    ).fetchone()
    assert row is not None
    return row


def update(
    conn: Connection, user_id: str, task_id: str, patch: TaskPatch, allowed_versions: set[int] | None
) -> dict[str, Any]:
    """Applies the fields the client sent; `allowed_versions` is If-Match (None: any).

    Completing an occurrence of a recurring task records it and moves the task to the
    next occurrence, in this transaction: the series always has exactly one open task.
    """
    current = load(conn, user_id, task_id, write=True, lock=True)
    check_version(current, allowed_versions)
    changes = patch.model_dump(include=patch.model_fields_set, exclude={"workspace_id", *PLACEMENT_FIELDS})
    placement = {name: getattr(patch, name) for name in PLACEMENT_FIELDS if name in patch.model_fields_set}
    if patch.workspace_id is not None and patch.workspace_id != current["workspace_id"]:
        changes["workspace_id"] = workspaces.resolve(conn, user_id, patch.workspace_id, write=True)[0]
        _leave_workspace(conn, task_id, changes["workspace_id"])
        placement = placement or {"before": None}  # a task arriving in a list goes to its end
    if placement:
        changes["position"] = ordering.place(
            conn, changes.get("workspace_id", current["workspace_id"]), task_id, placement
        )
    rule = changes.get("recurrence", current["recurrence"])
    if "recurrence" in changes or "timezone" in changes:
        timezone = changes.get("timezone") or current["timezone"] or _user_timezone(conn, user_id)
        due = changes.get("due_date", current["due_date"])
        recurrence_text, timezone, start, occurrence = _series(rule, timezone, due)
        changes.update(recurrence=recurrence_text, timezone=timezone, series_start=start, occurrence_local=occurrence)
    elif "due_date" in changes and rule and changes["due_date"] is None:
        raise Unprocessable("a recurring task needs a due date; remove the recurrence first")
    kind: TaskEventKind = "updated"
    if changes.get("completed") and not current["completed"]:
        kind = "completed"
        if rule:
            # The occurrence completed is the one this very change describes.
            following = _advance(conn, {**current, **changes}, "completed")
            if following is not None:
                changes.pop("completed")
                changes.update(due_date=following[0], occurrence_local=following[1])
    elif changes.get("completed") is False and current["completed"]:
        kind = "reopened"
    row = _write(conn, task_id, changes)
    outbox.record(conn, kind, row, user_id, sorted({_CHANGE_NAMES.get(name, name) for name in patch.model_fields_set}))
    return row


def _leave_workspace(conn: Connection, task_id: str, destination: str) -> None:
    """A task moving to another workspace leaves behind what belongs to the old one: its tags,
    and the reminders of people who are not members of the destination (who would otherwise
    be told the title of a task they can no longer see)."""
    conn.execute(
        "DELETE FROM task_tags tt USING tags g WHERE tt.task_id = %s AND g.id = tt.tag_id AND g.workspace_id <> %s",
        (task_id, destination),
    )
    conn.execute(
        "DELETE FROM reminders r WHERE r.task_id = %s AND NOT EXISTS (SELECT 1 FROM memberships m"
        " WHERE m.workspace_id = %s AND m.user_id = r.user_id)",
        (task_id, destination),
    )


def skip(conn: Connection, user_id: str, task_id: str, allowed_versions: set[int] | None) -> dict[str, Any]:
    """Moves a recurring task to its next occurrence without completing this one."""
    current = load(conn, user_id, task_id, write=True, lock=True)
    check_version(current, allowed_versions)
    if not current["recurrence"]:
        raise Conflict("only a recurring task can skip an occurrence")
    following = _advance(conn, current, "skipped")
    if following is None:
        row = _write(conn, task_id, {"completed": True})
    else:
        row = _write(conn, task_id, {"due_date": following[0], "occurrence_local": following[1]})
    outbox.record(conn, "skipped", row, user_id)
    return row


def delete(conn: Connection, user_id: str, task_id: str, allowed_versions: set[int] | None) -> dict[str, Any]:
    current = load(conn, user_id, task_id, write=True, lock=True)
    check_version(current, allowed_versions)
    conn.execute("DELETE FROM tasks WHERE id = %s", (task_id,))
    outbox.record(conn, "deleted", current, user_id)
    return current


def list_page(conn: Connection, workspace_id: str, query: TaskQuery) -> tuple[list[dict[str, Any]], str | None]:
    """One page in keyset order: the cost is the same for page 1 and page 10,000.

    The caller has checked membership of `workspace_id`. A search (`q`) may take more than one
    statement to find its page; see `_search_page`.
    """
    conditions: list[sql.Composable] = []
    values: list[Any] = []
    for column, operator, value in (
        ("t.completed", "=", query.completed),
        ("t.priority", "=", query.priority),
        ("t.due_date", "<", query.due_before),
        ("t.due_date", ">", query.due_after),
    ):
        if value is not None:
            conditions.append(sql.SQL(f"{column} {operator} %s"))  # fixed names and operators only
            values.append(value)
    words = search_words(query.q)
    for word in words:
        if _TRIGRAMS.search(word):
            conditions.append(sql.SQL(f"{SEARCHED_TEXT} LIKE lower(%s)"))
            values.append(like_pattern(word))
        else:
            # No trigram to look up: as a LIKE, the planner would read the whole trigram index.
            conditions.append(sql.SQL(f"strpos({SEARCHED_TEXT}, lower(%s)) > 0"))
            values.append(word)
    for tag_id in query.tags:
        conditions.append(sql.SQL("EXISTS (SELECT 1 FROM task_tags tt WHERE tt.task_id = t.id AND tt.tag_id = %s)"))
        values.append(tag_id)
    page = _Page(query, workspace_id, conditions, values)
    try:
        rows = _search_page(conn, page) if words else _run(conn, page.plain())
    except errors.DataError:  # a cursor whose key does not cast
        raise BadRequest("the cursor is not valid; start again without it") from None
    next_cursor = None
    if len(rows) > query.limit:
        rows = rows[: query.limit]
        next_cursor = _encode_cursor(query, rows[-1]["sort_key"], rows[-1]["id"])
    return rows, next_cursor


def search_words(q: str | None) -> list[str]:
    """The words a task must all contain: the runs of word characters of `q`, the first 16, each
    once, longest first (the likeliest to rule a task out, so checked first). Punctuation only
    separates words: a query of nothing but punctuation filters nothing."""
    words = dict.fromkeys(_WORD.findall(q or "")[:MAX_SEARCH_WORDS])
    return sorted(words, key=len, reverse=True)


def like_pattern(word: str) -> str:
    """A LIKE pattern matching `word` anywhere, every character of it literally (backslash escapes)."""
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


# A statement and its values.
_Statement = tuple[sql.Composed, list[Any]]


@dataclass(frozen=True)
class _Page:
    """The statements that can find a page: its filters (all but the workspace and the keyset),
    sort and limit, and where it starts."""

    query: TaskQuery
    workspace_id: str
    conditions: list[sql.Composable]
    values: list[Any]

    def plain(self) -> _Statement:
        """Every condition in one WHERE: the planner walks the sort order's index, filtering."""
        scope, scope_values = self._scope(None)
        statement = sql.SQL(
            "SELECT {columns}, ({sort})::text AS sort_key FROM tasks t WHERE {scope} AND {filters}"
            " ORDER BY {sort} {direction}, t.id {direction} LIMIT %s"
        ).format(columns=COLUMNS, scope=scope, **self._parts())
        return statement, [*scope_values, *self.values, self.query.limit + 1]

    def walk(self, budget: int, after: tuple[str, str] | None, wanted: int) -> _Statement:
        """The next `budget` rows of the workspace in sort order (after `after`, a row's sort key
        and id, or the cursor's), and the first `wanted` of them that match.

        The inner LIMIT bounds the rows examined, and the outer one ends the walk as soon as
        enough match. The row at position `budget` comes back even when it does not match
        (`hit` false): it says the budget ran out before the workspace did, and where. The outer
        ORDER BY is the inner one's, whose order the planner knows: no sort.
        """
        scope, scope_values = self._scope(after)
        statement = sql.SQL(
            "SELECT {columns}, ({sort})::text AS sort_key, t.hit, t.walked FROM ("
            "SELECT t.*, {sort} AS sort_value, {filters} AS hit,"
            " row_number() OVER (ORDER BY {sort} {direction}, t.id {direction}) AS walked"
            " FROM tasks t WHERE {scope} ORDER BY sort_value {direction}, t.id {direction} LIMIT %s) AS t"
            " WHERE t.hit OR t.walked = %s ORDER BY t.sort_value {direction}, t.id {direction} LIMIT %s"
        ).format(columns=COLUMNS, scope=scope, **self._parts())
        return statement, [*self.values, *scope_values, budget, budget, wanted + 1]

    def matches(self, after: tuple[str, str] | None, wanted: int) -> _Statement:
        """Every match (after `after` or the cursor) first, then the first `wanted` of them sorted.

        The CTE is planned on its own, without the ORDER BY and LIMIT that make a walk of the
        sort order look cheap, so the words are looked up in the trigram index (tasks_text_trgm).
        """
        scope, scope_values = self._scope(after)
        statement = sql.SQL(
            "WITH matches AS MATERIALIZED (SELECT t.* FROM tasks t WHERE {scope} AND {filters})"
            " SELECT {columns}, ({sort})::text AS sort_key FROM matches t"
            " ORDER BY {sort} {direction}, t.id {direction} LIMIT %s"
        ).format(columns=COLUMNS, scope=scope, **self._parts())
        return statement, [*scope_values, *self.values, wanted]

    def _scope(self, after: tuple[str, str] | None) -> tuple[sql.Composable, list[Any]]:
        """The workspace and, on a later page or a later step, only the rows after a given one."""
        if after is None and self.query.cursor:
            after = _decode_cursor(self.query)
        if after is None:
            return sql.SQL("t.workspace_id = %s"), [self.workspace_id]
        keyset = sql.SQL("t.workspace_id = %s AND ({}, t.id) {} (%s::{}, %s::uuid)").format(
            _SORT_EXPRESSIONS[self.query.sort],
            sql.SQL("<" if self.query.order == "desc" else ">"),
            sql.SQL(_SORT_CASTS[self.query.sort]),
        )
        return keyset, [self.workspace_id, *after]

    def _parts(self) -> dict[str, sql.Composable]:
        return {
            "sort": _SORT_EXPRESSIONS[self.query.sort],
            "direction": sql.SQL("DESC" if self.query.order == "desc" else "ASC"),
            "filters": sql.SQL(" AND ").join(self.conditions) if self.conditions else sql.SQL("true"),
        }


def _run(conn: Connection, statement: _Statement, prepare: bool | None = None) -> list[dict[str, Any]]:
    return conn.execute(statement[0], statement[1], prepare=prepare).fetchall()


def _search_page(conn: Connection, page: _Page) -> list[dict[str, Any]]:
    """A page of a search, by whichever plan is fast for these words in this workspace.

    Common words (say 1 task in 30 matches) fill a page within a short walk of the sort order's
    index; rare ones would make that walk read the whole workspace. The trigram index finds
    the rare ones' few matches directly, but it has no order, so it must find every match
    before sorting: slow for common words. The planner cannot tell them apart (its statistics
    are the table's, not the workspace's, and it does not see how words combine), so the page
    is found in steps, each starting after the last row the one before examined:

    1. walk SEARCH_WALK_BUDGET rows; a full page, or the workspace's end, and it is done;
    2. if the walk found some matches, project how far the page's end lies at that rate; if
       within SEARCH_WALK_LIMIT rows in all, walk that far and half as far again;
    3. the rest of the page from the trigram index.

    Whichever steps run, the rows and their order are those of the plain statement.
    """
    wanted = page.query.limit + 1
    found: list[dict[str, Any]] = []
    after: tuple[str, str] | None = None
    budget, examined, walks = max(SEARCH_WALK_BUDGET, wanted), 0, 0
    while budget:
        rows = _run(conn, page.walk(budget, after, wanted - len(found)))
        found += [row for row in rows if row["hit"]]
        if len(found) >= wanted or not rows or rows[-1]["walked"] != budget:
            return _without_walk_columns(found[:wanted])  # full, or the workspace ended first
        examined, walks = examined + budget, walks + 1
        after = (rows[-1]["sort_key"], rows[-1]["id"])
        budget = _walk_further(examined, len(found), wanted) if walks == 1 else 0
    # Planned with its values every time: a generic plan knows neither how large the workspace
    # is nor how rare the words are, and may combine the trigram index with a scan of the
    # workspace's whole index.
    found += _run(conn, page.matches(after, wanted - len(found)), prepare=False)
    return _without_walk_columns(found)


def _walk_further(examined: int, found: int, wanted: int) -> int:
    """Rows a second walk takes: how far the page's end projects at the rate of matches found so
    far, and half as far again; 0 (to the trigram index) when that passes SEARCH_WALK_LIMIT."""
    if not found:
        return 0
    further = (wanted - found) * examined // found * 3 // 2
    return further if examined + further <= SEARCH_WALK_LIMIT else 0


def _without_walk_columns(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for row in rows:
        row.pop("hit", None)
        row.pop("walked", None)
    return rows


def stats(conn: Connection, workspace_id: str) -> dict[str, Any]:
    row = conn.execute(
        "SELECT count(*) AS total,"
        " count(*) FILTER (WHERE completed) AS completed,"
        " count(*) FILTER (WHERE NOT completed AND due_date < now()) AS overdue,"
        " count(*) FILTER (WHERE priority = 1) AS p1,"
        " count(*) FILTER (WHERE priority = 2) AS p2,"
        " count(*) FILTER (WHERE priority = 3) AS p3"
        " FROM tasks WHERE workspace_id = %s",
        (workspace_id,),
    ).fetchone()
    assert row is not None
    total, completed = int(row["total"]), int(row["completed"])
    return {
        "total": total,
        "completed": completed,
        "overdue": int(row["overdue"]),
        "by_priority": {"1": int(row["p1"]), "2": int(row["p2"]), "3": int(row["p3"])},
        "completion_rate": round(completed / total, 4) if total else 0.0,
    }


def history(conn: Connection, user_id: str, workspace_id: str, days: int) -> dict[str, Any]:
    """Tasks created and completed per day over the last `days` days, in the caller's time zone.

    A completed occurrence of a recurring task counts on the day it was completed.
    """
    timezone = _user_timezone(conn, user_id)
    rows = conn.execute(
        """
        WITH bounds AS (
            SELECT (now() AT TIME ZONE %(tz)s)::date - (%(days)s - 1) AS first_day,
                   (now() AT TIME ZONE %(tz)s)::date AS last_day
        ), since AS (
            SELECT first_day::timestamp AT TIME ZONE %(tz)s AS instant FROM bounds
        ), created AS (
            SELECT (created_at AT TIME ZONE %(tz)s)::date AS day, count(*) AS n FROM tasks
            WHERE workspace_id = %(ws)s AND created_at >= (SELECT instant FROM since) GROUP BY 1
        ), completions AS (
            SELECT completed_at FROM tasks
            WHERE workspace_id = %(ws)s AND completed_at >= (SELECT instant FROM since)
            UNION ALL
            SELECT o.completed_at FROM task_occurrences o JOIN tasks t ON t.id = o.task_id
            WHERE t.workspace_id = %(ws)s AND o.completed_at >= (SELECT instant FROM since)
        ), completed AS (
            SELECT (completed_at AT TIME ZONE %(tz)s)::date AS day, count(*) AS n FROM completions GROUP BY 1
        )
        SELECT series.day::date AS day, COALESCE(created.n, 0) AS created, COALESCE(completed.n, 0) AS completed
        FROM bounds, generate_series(first_day, last_day, interval '1 day') AS series (day)
        LEFT JOIN created ON created.day = series.day::date
        LEFT JOIN completed ON completed.day = series.day::date
        ORDER BY series.day
        """,
        {"tz": timezone, "days": days, "ws": workspace_id},
    ).fetchall()
    return {"timezone": timezone, "days": rows}


def _fetch_many(conn: Connection, ids: list[str]) -> list[dict[str, Any]]:
    rows = conn.execute(
        sql.SQL("SELECT {} FROM tasks t WHERE t.id = ANY(%s::uuid[])").format(COLUMNS), (ids,)
    ).fetchall()
    by_id = {row["id"]: row for row in rows}
    return [by_id[task_id] for task_id in ids]


def _write(conn: Connection, task_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    assignments: list[sql.Composable] = [sql.SQL("{} = %s").format(sql.Identifier(name)) for name in changes]
    values: list[Any] = list(changes.values())
    if "completed" in changes:
        # The server owns completed_at: stamped when a task becomes complete, cleared when reopened.
        assignments.append(sql.SQL("completed_at = CASE WHEN %s THEN COALESCE(completed_at, clock_timestamp()) END"))
        values.append(changes["completed"])
    assignments += [sql.SQL("updated_at = clock_timestamp()"), sql.SQL("version = version + 1")]
    try:
        conn.execute(
            sql.SQL("UPDATE tasks SET {} WHERE id = %s").format(sql.SQL(", ").join(assignments)), (*values, task_id)
        )
    except errors.CheckViolation as exc:
        raise Unprocessable(f"the change breaks a rule of the task: {exc.diag.constraint_name}") from None
    schedules.recompute(conn, task_id)
    return _fetch_many(conn, [task_id])[0]


def check_version(row: dict[str, Any], allowed_versions: set[int] | None) -> None:
    if allowed_versions is not None and row["version"] not in allowed_versions:
        raise PreconditionFailed("the task has changed since you read it; reload it and try again")


def _series(rule: str | None, timezone: str | None, due: datetime | None) -> tuple[Any, ...]:
    """(recurrence, timezone, series_start, occurrence_local) for a new or re-planned series."""
    if timezone:
        recurrence.zone(timezone)  # an unknown zone is refused whether or not there is a rule
    if not rule:
        return (None, timezone if timezone else None, None, None)
    assert timezone is not None
    if due is None:
        raise Unprocessable("a recurring task needs a due date: its first occurrence")
    start = recurrence.local(due, timezone)
    text = recurrence.normalise(rule, timezone, start)
    return (text, timezone, start, start)


def _advance(conn: Connection, current: dict[str, Any], outcome: str) -> tuple[datetime, datetime] | None:
    """Records the current occurrence; the next one as (instant, wall-clock time), or None at the end."""
    conn.execute(
        "INSERT INTO task_occurrences (task_id, due_date, outcome, completed_at)"
        " VALUES (%s, %s, %s, CASE WHEN %s = 'completed' THEN clock_timestamp() END)",
        (current["id"], current["due_date"], outcome, outcome),
    )
    timezone = current["timezone"] or "UTC"
    # A row whose series columns were lost (written around the API) goes on from its due date.
    occurrence = current["occurrence_local"]
    if occurrence is None and current["due_date"] is not None:
        occurrence = recurrence.local(current["due_date"], timezone)
    if occurrence is None:
        return None
    following = recurrence.next_after(
        current["recurrence"], timezone, current["series_start"] or occurrence, occurrence
    )
    if following is None:
        return None
    return recurrence.instant(following, timezone), following


def _user_timezone(conn: Connection, user_id: str) -> str:
    row = conn.execute("SELECT timezone FROM users WHERE id = %s", (user_id,)).fetchone()
    return str(row["timezone"]) if row else "UTC"


def _encode_cursor(query: TaskQuery, key: str, last_id: str) -> str:
    return encode_cursor([query.sort, query.order, key, last_id, query.filters_digest()])


def _decode_cursor(query: TaskQuery) -> tuple[str, str]:
    assert query.cursor is not None
    try:
        sort, order, key, last_id, digest = decode_cursor(query.cursor)
        if not isinstance(key, str) or not isinstance(last_id, str):
            raise ValueError
        uuid.UUID(last_id)
    except (ValueError, TypeError):
        raise BadRequest(INVALID_CURSOR) from None
    if (sort, order, digest) != (query.sort, query.order, query.filters_digest()):
        raise BadRequest("the cursor belongs to a different query; start again without it")
    return key, last_id
