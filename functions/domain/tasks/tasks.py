"""SQL for the task aggregate. Every statement is scoped to the caller's memberships:
a task in a workspace the caller does not belong to is indistinguishable from one
that does not exist (404); a viewer may read but not change it (403)."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from psycopg import errors, sql

from functions.catalog import TaskEventKind
from functions.domain.activity import outbox
from functions.domain.reminders import schedules
from functions.domain.tasks import recurrence
from functions.domain.tasks.models import SortField, SortOrder, TaskCreate, TaskPatch
from functions.domain.workspaces import workspaces
from functions.platform.db import Connection
from functions.platform.errors import BadRequest, Conflict, PreconditionFailed, Unprocessable
from functions.platform.http import INVALID_CURSOR, decode_cursor, encode_cursor

# A task as the API shows it: its columns, its tags and its checklist's progress.
COLUMNS = sql.SQL(
    "t.id::text AS id, t.title, t.description, t.completed, t.priority, t.due_date, t.created_at, t.updated_at,"
    " t.completed_at, t.owner_id::text AS owner, t.workspace_id::text AS workspace_id, t.version,"
    " t.recurrence, t.timezone, t.series_start, t.occurrence_local,"
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
}
_SORT_CASTS = {"created_at": "timestamptz", "due_date": "timestamptz", "priority": "smallint"}
_WORD = re.compile(r"\w+", re.UNICODE)
MAX_TAG_FILTERS = 10


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


def create(conn: Connection, user_id: str, task: TaskCreate, default_timezone: str | None = None) -> dict[str, Any]:
    return create_many(conn, user_id, [task], default_timezone)[0]


def create_many(
    conn: Connection, user_id: str, tasks: list[TaskCreate], default_timezone: str | None = None
) -> list[dict[str, Any]]:
    workspace_ids = {task.workspace_id for task in tasks}
    resolved = {wid: workspaces.resolve(conn, user_id, wid, write=True)[0] for wid in workspace_ids}
    timezone = default_timezone or _user_timezone(conn, user_id)
    ids: list[str] = []
    for task in tasks:
        series = _series(task.recurrence, task.timezone or timezone, task.due_date)
        row = conn.execute(
            "INSERT INTO tasks (owner_id, workspace_id, title, description, completed, priority, due_date,"
            " completed_at, recurrence, timezone, series_start, occurrence_local)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, CASE WHEN %s THEN clock_timestamp() END, %s, %s, %s, %s)"
            " RETURNING id::text AS id",
            (
                user_id,
                resolved[task.workspace_id],
                task.title,
                task.description,
                task.completed,
                task.priority,
                task.due_date,
                task.completed,
                *series,
            ),
        ).fetchone()
        assert row is not None
        ids.append(row["id"])
    created = _fetch_many(conn, ids)
    for row in created:
        outbox.record(conn, "created", row, user_id)
    return created


def update(
    conn: Connection, user_id: str, task_id: str, patch: TaskPatch, allowed_versions: set[int] | None
) -> dict[str, Any]:
    """Applies the fields the client sent; `allowed_versions` is If-Match (None: any).

    Completing an occurrence of a recurring task records it and moves the task to the
    next occurrence, in this transaction: the series always has exactly one open task.
    """
    current = load(conn, user_id, task_id, write=True, lock=True)
    check_version(current, allowed_versions)
    changes = patch.model_dump(include=patch.model_fields_set, exclude={"workspace_id"})
    if patch.workspace_id is not None and patch.workspace_id != current["workspace_id"]:
        changes["workspace_id"] = workspaces.resolve(conn, user_id, patch.workspace_id, write=True)[0]
        _leave_workspace(conn, task_id, changes["workspace_id"])
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
    outbox.record(conn, kind, row, user_id, list(patch.model_fields_set))
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

    The caller has checked membership of `workspace_id`.
    """
    conditions: list[sql.Composable] = [sql.SQL("t.workspace_id = %s")]
    values: list[Any] = [workspace_id]
    for column, operator, value in (
        ("t.completed", "=", query.completed),
        ("t.priority", "=", query.priority),
        ("t.due_date", "<", query.due_before),
        ("t.due_date", ">", query.due_after),
    ):
        if value is not None:
            conditions.append(sql.SQL(f"{column} {operator} %s"))  # fixed names and operators only
            values.append(value)
    if query.q:
        words = _WORD.findall(query.q)[:16]
        if words:
            # Prefix matching, so search-as-you-type finds "groceries" from "groc".
            conditions.append(sql.SQL("t.search @@ to_tsquery('simple', %s)"))
            values.append(" & ".join(f"{word}:*" for word in words))
    for tag_id in query.tags:
        conditions.append(sql.SQL("EXISTS (SELECT 1 FROM task_tags tt WHERE tt.task_id = t.id AND tt.tag_id = %s)"))
        values.append(tag_id)
    sort_expression = _SORT_EXPRESSIONS[query.sort]
    descending = query.order == "desc"
    if query.cursor:
        key, last_id = _decode_cursor(query)
        conditions.append(
            sql.SQL("({}, t.id) {} (%s::{}, %s::uuid)").format(
                sort_expression, sql.SQL("<" if descending else ">"), sql.SQL(_SORT_CASTS[query.sort])
            )
        )
        values += [key, last_id]
    direction = sql.SQL("DESC" if descending else "ASC")
    statement = sql.SQL(
        "SELECT {}, ({})::text AS sort_key FROM tasks t WHERE {} ORDER BY {} {}, t.id {} LIMIT %s"
    ).format(COLUMNS, sort_expression, sql.SQL(" AND ").join(conditions), sort_expression, direction, direction)
    try:
        rows = conn.execute(statement, (*values, query.limit + 1)).fetchall()
    except errors.DataError:  # a cursor whose key does not cast
        raise BadRequest("the cursor is not valid; start again without it") from None
    next_cursor = None
    if len(rows) > query.limit:
        rows = rows[: query.limit]
        next_cursor = _encode_cursor(query, rows[-1]["sort_key"], rows[-1]["id"])
    return rows, next_cursor


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
