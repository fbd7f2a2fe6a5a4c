"""SQL for the task aggregate. Every statement is scoped to the owner: another user's
task is indistinguishable from one that does not exist."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from psycopg import errors, sql

from .db import Connection
from .errors import BadRequest, NotFound, PreconditionFailed
from .task_models import SortField, SortOrder, TaskCreate, TaskPatch

COLUMNS = sql.SQL(
    "id::text AS id, title, description, completed, priority, due_date, created_at, updated_at,"
    " completed_at, owner_id::text AS owner, version"
)
_SORT_EXPRESSIONS = {
    "created_at": sql.SQL("created_at"),
    "due_date": sql.SQL("COALESCE(due_date, 'infinity'::timestamptz)"),
    "priority": sql.SQL("priority"),
}
_SORT_CASTS = {"created_at": "timestamptz", "due_date": "timestamptz", "priority": "smallint"}
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class TaskQuery:
    completed: bool | None = None
    priority: int | None = None
    due_before: datetime | None = None
    due_after: datetime | None = None
    q: str | None = None
    sort: SortField = "created_at"
    order: SortOrder = "desc"
    limit: int = 50
    cursor: str | None = None

    def filters_digest(self) -> str:
        filters = {k: v for k, v in asdict(self).items() if k not in ("limit", "cursor")}
        return hashlib.sha256(json.dumps(filters, default=str, sort_keys=True).encode()).hexdigest()[:16]


def parse_task_id(raw: str) -> str:
    """A task id from a path; anything that is not a UUID names no task (404, not 422)."""
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        raise NotFound("no such task") from None


def create(conn: Connection, owner: str, task: TaskCreate) -> dict[str, Any]:
    return create_many(conn, owner, [task])[0]


def create_many(conn: Connection, owner: str, tasks: list[TaskCreate]) -> list[dict[str, Any]]:
    query = sql.SQL(
        "INSERT INTO tasks (owner_id, title, description, completed, priority, due_date, completed_at)"
        " VALUES (%s, %s, %s, %s, %s, %s, CASE WHEN %s THEN clock_timestamp() END) RETURNING {}"
    ).format(COLUMNS)
    rows: list[dict[str, Any]] = []
    with conn.cursor() as cursor:
        cursor.executemany(query, [(owner, t.title, t.description, t.completed, t.priority, t.due_date,
                                    t.completed) for t in tasks], returning=True)
        while True:
            row = cursor.fetchone()
            assert row is not None
            rows.append(row)
            if not cursor.nextset():
                break
    return rows


def get(conn: Connection, owner: str, task_id: str) -> dict[str, Any]:
    row = conn.execute(sql.SQL("SELECT {} FROM tasks WHERE id = %s AND owner_id = %s").format(COLUMNS),
                       (task_id, owner)).fetchone()
    if row is None:
        raise NotFound("no such task")
    return row


def update(conn: Connection, owner: str, task_id: str, patch: TaskPatch,
           allowed_versions: set[int] | None) -> dict[str, Any]:
    """Applies the fields the client sent; `allowed_versions` is If-Match (None: any)."""
    changes = patch.model_dump(include=patch.model_fields_set)
    assignments: list[sql.Composable] = [sql.SQL("{} = %s").format(sql.Identifier(name)) for name in changes]
    values: list[Any] = list(changes.values())
    if "completed" in changes:
        # The server owns completed_at: stamped when a task becomes complete, cleared when reopened.
        assignments.append(sql.SQL(
            "completed_at = CASE WHEN %s THEN COALESCE(completed_at, clock_timestamp()) END"))
        values.append(changes["completed"])
    assignments += [sql.SQL("updated_at = clock_timestamp()"), sql.SQL("version = version + 1")]
    row = conn.execute(
        sql.SQL("UPDATE tasks SET {} WHERE id = %s AND owner_id = %s AND (%s::int[] IS NULL OR version = ANY(%s))"
                " RETURNING {}").format(sql.SQL(", ").join(assignments), COLUMNS),
        (*values, task_id, owner, _versions(allowed_versions), _versions(allowed_versions)),
    ).fetchone()
    if row is None:
        _raise_missing_or_stale(conn, owner, task_id)
    assert row is not None
    return row


def delete(conn: Connection, owner: str, task_id: str, allowed_versions: set[int] | None) -> None:
    deleted = conn.execute(
        "DELETE FROM tasks WHERE id = %s AND owner_id = %s AND (%s::int[] IS NULL OR version = ANY(%s)) RETURNING id",
        (task_id, owner, _versions(allowed_versions), _versions(allowed_versions)),
    ).fetchone()
    if deleted is None:
        _raise_missing_or_stale(conn, owner, task_id)


def list_page(conn: Connection, owner: str, query: TaskQuery) -> tuple[list[dict[str, Any]], str | None]:
    """One page in keyset order: the cost is the same for page 1 and page 10,000."""
    conditions: list[sql.Composable] = [sql.SQL("owner_id = %s")]
    values: list[Any] = [owner]
    if query.completed is not None:
        conditions.append(sql.SQL("completed = %s"))
        values.append(query.completed)
    if query.priority is not None:
        conditions.append(sql.SQL("priority = %s"))
        values.append(query.priority)
    if query.due_before is not None:
        conditions.append(sql.SQL("due_date < %s"))
        values.append(query.due_before)
    if query.due_after is not None:
        conditions.append(sql.SQL("due_date > %s"))
        values.append(query.due_after)
    if query.q:
        words = _WORD.findall(query.q)[:16]
        if words:
            # Prefix matching, so search-as-you-type finds "groceries" from "groc".
            conditions.append(sql.SQL("search @@ to_tsquery('simple', %s)"))
            values.append(" & ".join(f"{word}:*" for word in words))
    sort_expression = _SORT_EXPRESSIONS[query.sort]
    descending = query.order == "desc"
    if query.cursor:
        key, last_id = _decode_cursor(query)
        conditions.append(sql.SQL("({}, id) {} (%s::{}, %s::uuid)").format(
            sort_expression, sql.SQL("<" if descending else ">"), sql.SQL(_SORT_CASTS[query.sort])))
        values += [key, last_id]
    direction = sql.SQL("DESC" if descending else "ASC")
    statement = sql.SQL("SELECT {}, ({})::text AS sort_key FROM tasks WHERE {} ORDER BY {} {}, id {} LIMIT %s").format(
        COLUMNS, sort_expression, sql.SQL(" AND ").join(conditions), sort_expression, direction, direction)
    try:
        rows = conn.execute(statement, (*values, query.limit + 1)).fetchall()
    except errors.DataError:  # a cursor whose key does not cast
        raise BadRequest("the cursor is not valid; start again without it") from None
    next_cursor = None
    if len(rows) > query.limit:
        rows = rows[: query.limit]
        next_cursor = _encode_cursor(query, rows[-1]["sort_key"], rows[-1]["id"])
    return rows, next_cursor


def stats(conn: Connection, owner: str) -> dict[str, Any]:
    row = conn.execute(
        "SELECT count(*) AS total,"
        " count(*) FILTER (WHERE completed) AS completed,"
        " count(*) FILTER (WHERE NOT completed AND due_date < now()) AS overdue,"
        " count(*) FILTER (WHERE priority = 1) AS p1,"
        " count(*) FILTER (WHERE priority = 2) AS p2,"
        " count(*) FILTER (WHERE priority = 3) AS p3"
        " FROM tasks WHERE owner_id = %s",
        (owner,),
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


def etag(row: dict[str, Any]) -> str:
    return f'"{row["version"]}"'


def parse_if_match(header: str | None) -> set[int] | None:
    """If-Match as a set of acceptable versions; None when absent or `*`."""
    if header is None or header.strip() == "*":
        return None
    versions = set()
    for part in header.split(","):
        tag = part.strip().removeprefix("W/").strip('"')
        if tag.isdigit():
            versions.add(int(tag))
    return versions  # an empty set matches nothing: a malformed If-Match is a failed precondition


def _versions(allowed: set[int] | None) -> list[int] | None:
    return None if allowed is None else sorted(allowed)


def _raise_missing_or_stale(conn: Connection, owner: str, task_id: str) -> None:
    exists = conn.execute("SELECT 1 FROM tasks WHERE id = %s AND owner_id = %s", (task_id, owner)).fetchone()
    if exists is None:
        raise NotFound("no such task")
    raise PreconditionFailed("the task has changed since you read it; reload it and try again")


def _encode_cursor(query: TaskQuery, key: str, last_id: str) -> str:
    payload = json.dumps([query.sort, query.order, key, last_id, query.filters_digest()])
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def _decode_cursor(query: TaskQuery) -> tuple[str, str]:
    assert query.cursor is not None
    try:
        padded = query.cursor + "=" * (-len(query.cursor) % 4)
        sort, order, key, last_id, digest = json.loads(base64.urlsafe_b64decode(padded))
        uuid.UUID(last_id)
        if not isinstance(key, str):
            raise ValueError
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise BadRequest("the cursor is not valid; start again without it") from None
    if (sort, order, digest) != (query.sort, query.order, query.filters_digest()):
        raise BadRequest("the cursor belongs to a different query; start again without it")
    return key, last_id
