"""SQL for tags: named, coloured labels of a workspace, attached to its tasks."""

from __future__ import annotations

from typing import Any

from psycopg import errors

from functions.domain.activity import outbox
from functions.domain.tasks import tasks
from functions.domain.workspaces import workspaces
from functions.platform.db import Connection
from functions.platform.errors import Conflict, NotFound

_COLUMNS = "g.id::text AS id, g.name, g.color, g.workspace_id::text AS workspace_id"


def create(conn: Connection, user_id: str, workspace_id: str | None, name: str, color: str) -> dict[str, Any]:
    scope, _ = workspaces.resolve(conn, user_id, workspace_id, write=True)
    try:
        with conn.transaction():
            row = conn.execute(
                "INSERT INTO tags (workspace_id, name, color) VALUES (%s, %s, %s)"
                " RETURNING id::text AS id, name, color, workspace_id::text AS workspace_id",
                (scope, name, color),
            ).fetchone()
    except errors.UniqueViolation:
        raise Conflict(f"the workspace already has a tag named {name!r}") from None
    assert row is not None
    outbox.record_tag(conn, "created", row, user_id)
    return row


def list_for(conn: Connection, user_id: str, workspace_id: str | None) -> list[dict[str, Any]]:
    scope, _ = workspaces.resolve(conn, user_id, workspace_id, write=False)
    return conn.execute(
        f"SELECT {_COLUMNS} FROM tags g WHERE g.workspace_id = %s ORDER BY lower(g.name), g.id",  # noqa: S608
        (scope,),
    ).fetchall()


def load(conn: Connection, user_id: str, tag_id: str, write: bool) -> dict[str, Any]:
    row = conn.execute(
        f"SELECT {_COLUMNS}, m.role FROM tags g JOIN memberships m"  # noqa: S608 - constant columns
        " ON m.workspace_id = g.workspace_id AND m.user_id = %s WHERE g.id = %s",
        (user_id, tag_id),
    ).fetchone()
    workspaces.check(row["role"] if row else None, write, "tag")
    assert row is not None
    return row


def update(conn: Connection, user_id: str, tag_id: str, name: str | None, color: str | None) -> dict[str, Any]:
    current = load(conn, user_id, tag_id, write=True)
    try:
        with conn.transaction():
            conn.execute(
                "UPDATE tags SET name = COALESCE(%s, name), color = COALESCE(%s, color) WHERE id = %s",
                (name, color, tag_id),
            )
    except errors.UniqueViolation:
        raise Conflict(f"the workspace already has a tag named {name!r}") from None
    # Renaming changes every task that carries the tag: their versions move too.
    conn.execute(
        "UPDATE tasks SET version = version + 1 WHERE id IN (SELECT task_id FROM task_tags WHERE tag_id = %s)",
        (tag_id,),
    )
    changed = {k: v for k, v in (("name", name), ("color", color)) if v is not None}
    outbox.record_tag(conn, "updated", current, user_id, changes=list(changed))
    return {**current, **changed}


def delete(conn: Connection, user_id: str, tag_id: str) -> dict[str, Any]:
    current = load(conn, user_id, tag_id, write=True)
    conn.execute(
        "UPDATE tasks SET version = version + 1 WHERE id IN (SELECT task_id FROM task_tags WHERE tag_id = %s)",
        (tag_id,),
    )
    conn.execute("DELETE FROM tags WHERE id = %s", (tag_id,))  # task_tags rows go with it (ON DELETE CASCADE)
    outbox.record_tag(conn, "deleted", current, user_id)
    return current


def attach(conn: Connection, user_id: str, task_id: str, tag_id: str) -> dict[str, Any]:
    task = tasks.load(conn, user_id, task_id, write=True)
    tag = load(conn, user_id, tag_id, write=False)
    if tag["workspace_id"] != task["workspace_id"]:
        raise NotFound("no such tag in the task's workspace")
    added = conn.execute(
        "INSERT INTO task_tags (task_id, tag_id) VALUES (%s, %s) ON CONFLICT DO NOTHING RETURNING 1", (task_id, tag_id)
    ).fetchone()
    if added:
        conn.execute("UPDATE tasks SET version = version + 1, updated_at = clock_timestamp() WHERE id = %s", (task_id,))
        outbox.record_tag(conn, "attached", tag, user_id, task=task)
    return tasks.load(conn, user_id, task_id)


def detach(conn: Connection, user_id: str, task_id: str, tag_id: str) -> dict[str, Any]:
    task = tasks.load(conn, user_id, task_id, write=True)
    removed = conn.execute(
        "DELETE FROM task_tags WHERE task_id = %s AND tag_id = %s RETURNING 1", (task_id, tag_id)
    ).fetchone()
    if removed:
        conn.execute("UPDATE tasks SET version = version + 1, updated_at = clock_timestamp() WHERE id = %s", (task_id,))
        outbox.record_tag(conn, "detached", load(conn, user_id, tag_id, write=False), user_id, task=task)
    return tasks.load(conn, user_id, task_id)
