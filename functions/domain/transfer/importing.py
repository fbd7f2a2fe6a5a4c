"""Writing an import: every task of a file read without problems, in one transaction.

The write follows the API's rules for new tasks (the caller must be an owner or editor of
the workspace; each task's series columns as the API computes them; a `created` event per
task in the outbox, so the activity feed and the workspace's cache generation move exactly
as for tasks made one by one), but as a handful of statements whatever the file's size:
COPY for tasks, tag links and checklist items, one executemany for the events.

A task already in the workspace (same title and same due instant, both exactly; no due date
matches no due date) is skipped, and so is a second one in the same file: importing a file
twice creates nothing the second time. The workspace row is locked first, so two imports
into one workspace take turns and cannot both create the same task.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from functions.domain.activity import outbox
from functions.domain.transfer.models import DEFAULT_TAG_COLOR, ImportedTask
from functions.domain.transfer.reading import series
from functions.domain.workspaces import workspaces
from functions.platform.db import Connection

Key = tuple[str, datetime | None]


@dataclass(frozen=True)
class Written:
    created: int
    skipped: int


def user_timezone(conn: Connection, user_id: str) -> str:
    row = conn.execute("SELECT timezone FROM users WHERE id = %s", (user_id,)).fetchone()
    return str(row["timezone"]) if row and row["timezone"] else "UTC"


def write(
    conn: Connection, user_id: str, workspace_id: str | None, tasks: list[ImportedTask], default_timezone: str
) -> Written:
    scope, _ = workspaces.resolve(conn, user_id, workspace_id, write=True)
    conn.execute("SELECT 1 FROM workspaces WHERE id = %s FOR NO KEY UPDATE", (scope,))
    fresh = _not_yet_there(conn, scope, tasks)
    if fresh:
        tag_ids = _tag_ids(conn, user_id, scope, fresh)
        rows = _insert(conn, user_id, scope, fresh, tag_ids, default_timezone)
        outbox.record_many(conn, "created", rows, user_id)
    return Written(created=len(fresh), skipped=len(tasks) - len(fresh))


def key(title: str, due: datetime | None) -> Key:
    return title, due.astimezone(UTC) if due is not None else None


def _not_yet_there(conn: Connection, scope: str, tasks: list[ImportedTask]) -> list[ImportedTask]:
    existing = conn.execute(
        "SELECT title, due_date FROM tasks WHERE workspace_id = %s AND title = ANY(%s)",
        (scope, sorted({task.title for task in tasks})),
    ).fetchall()
    seen: set[Key] = {key(row["title"], row["due_date"]) for row in existing}
    fresh = []
    for task in tasks:
        found = key(task.title, task.due_date)
        if found not in seen:
            seen.add(found)
            fresh.append(task)
    return fresh


def _tag_ids(conn: Connection, user_id: str, scope: str, tasks: list[ImportedTask]) -> dict[str, str]:
    """The id of every tag the tasks carry, by lowercased name (tag names are unique whatever
    the case); a name the workspace lacks becomes a new tag, with its colour from the file."""
    wanted: dict[str, tuple[str, str]] = {}
    for task in tasks:
        for tag in task.tags:
            wanted.setdefault(tag.name.lower(), (tag.name, tag.color))
    if not wanted:
        return {}
    rows = conn.execute(
        "SELECT id::text AS id, lower(name) AS name FROM tags WHERE workspace_id = %s AND lower(name) = ANY(%s)",
        (scope, list(wanted)),
    ).fetchall()
    ids = {row["name"]: row["id"] for row in rows}
    missing = [wanted[name] for name in wanted if name not in ids]
    if missing:
        created = conn.execute(
            "INSERT INTO tags (workspace_id, name, color) SELECT %s, name, color FROM unnest(%s::text[], %s::text[])"
            " AS new (name, color) RETURNING id::text AS id, name, color, workspace_id::text AS workspace_id",
            (scope, [name for name, _ in missing], [color or DEFAULT_TAG_COLOR for _, color in missing]),
        ).fetchall()
        for new in created:
            ids[new["name"].lower()] = new["id"]
            outbox.record_tag(conn, "created", new, user_id)
    return ids


def _insert(
    conn: Connection,
    user_id: str,
    scope: str,
    tasks: list[ImportedTask],
    tag_ids: dict[str, str],
    default_timezone: str,
) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    with conn.cursor() as cursor:
        with cursor.copy(
            "COPY tasks (id, owner_id, workspace_id, title, description, completed, priority, due_date, completed_at,"
            " recurrence, timezone, series_start, occurrence_local) FROM STDIN"
        ) as copy:
            for task in tasks:
                task_id = str(uuid.uuid4())
                rule, timezone, start, occurrence = series(task, default_timezone)
                copy.write_row(
                    (
                        task_id,
                        user_id,
                        scope,
                        task.title,
                        task.description,
                        task.completed,
                        task.priority,
                        task.due_date,
                        now if task.completed else None,
                        rule,
                        timezone,
                        start,
                        occurrence,
                    )
                )
                rows.append({"id": task_id, "workspace_id": scope, "title": task.title, "due_date": task.due_date})
        with cursor.copy("COPY task_tags (task_id, tag_id) FROM STDIN") as copy:
            for row, task in zip(rows, tasks, strict=True):
                for tag_id in dict.fromkeys(tag_ids[tag.name.lower()] for tag in task.tags):
                    copy.write_row((row["id"], tag_id))
        with cursor.copy("COPY checklist_items (task_id, text, done, position) FROM STDIN") as copy:
            for row, task in zip(rows, tasks, strict=True):
                for position, item in enumerate(task.checklist):
                    copy.write_row((row["id"], item.text, item.done, position))
    return rows
