"""SQL for checklists: ordered items on a task. Positions are dense (0..n-1) and kept so."""

from __future__ import annotations

from typing import Any

from functions.catalog import ChecklistEventKind
from functions.domain.activity import outbox
from functions.domain.tasks import tasks
from functions.platform.db import Connection
from functions.platform.errors import NotFound, Unprocessable

MAX_ITEMS = 200
_COLUMNS = "id::text AS id, text, done, position"


def list_items(conn: Connection, user_id: str, task_id: str) -> list[dict[str, Any]]:
    tasks.load(conn, user_id, task_id)
    return _items(conn, task_id)


def add(conn: Connection, user_id: str, task_id: str, text: str) -> dict[str, Any]:
    task = tasks.load(conn, user_id, task_id, write=True, lock=True)
    count = conn.execute("SELECT count(*) AS n FROM checklist_items WHERE task_id = %s", (task_id,)).fetchone()
    if count and count["n"] >= MAX_ITEMS:
        raise Unprocessable(f"a checklist holds at most {MAX_ITEMS} items")
    row = conn.execute(
        f"INSERT INTO checklist_items (task_id, text, position) VALUES (%s, %s, %s) RETURNING {_COLUMNS}",  # noqa: S608
        (task_id, text, count["n"] if count else 0),
    ).fetchone()
    assert row is not None
    outbox.record_checklist(conn, "added", task, row, user_id)
    return {**row, "task_version": _touch(conn, task_id)}


def change(
    conn: Connection,
    user_id: str,
    task_id: str,
    item_id: str,
    text: str | None,
    done: bool | None,
    position: int | None,
    allowed_versions: set[int] | None = None,
) -> dict[str, Any]:
    """`allowed_versions` is the task's If-Match: a reorder computed on a stale view gets 412."""
    task = tasks.load(conn, user_id, task_id, write=True, lock=True)  # the task's lock serialises reorders
    tasks.check_version(task, allowed_versions)
    items = _items(conn, task_id)
    current = next((item for item in items if item["id"] == item_id), None)
    if current is None:
        raise NotFound("no such checklist item")
    if position is not None:
        if position >= len(items):
            raise Unprocessable(f"position must be below {len(items)}, the number of items")
        order = [item["id"] for item in items if item["id"] != item_id]
        order.insert(position, item_id)
        conn.execute(
            "UPDATE checklist_items c SET position = o.position - 1 FROM unnest(%s::uuid[]) WITH ORDINALITY"
            " AS o(id, position) WHERE c.id = o.id",
            (order,),
        )
    conn.execute(
        "UPDATE checklist_items SET text = COALESCE(%s, text), done = COALESCE(%s, done), updated_at = now()"
        " WHERE id = %s",
        (text, done, item_id),
    )
    version = _touch(conn, task_id)
    row = conn.execute(f"SELECT {_COLUMNS} FROM checklist_items WHERE id = %s", (item_id,)).fetchone()  # noqa: S608
    assert row is not None
    sent = {name for name, value in (("text", text), ("done", done), ("position", position)) if value is not None}
    kind: ChecklistEventKind = "changed"
    if done is not None and done != current["done"]:
        kind = "checked" if done else "unchecked"
    outbox.record_checklist(conn, kind, task, row, user_id, changes=list(sent))
    return {**row, "task_version": version}


def remove(conn: Connection, user_id: str, task_id: str, item_id: str) -> int:
    """Removes the item; returns the task's new version."""
    task = tasks.load(conn, user_id, task_id, write=True, lock=True)
    removed = conn.execute(
        "DELETE FROM checklist_items WHERE id = %s AND task_id = %s RETURNING id::text AS id, position, done",
        (item_id, task_id),
    ).fetchone()
    if removed is None:
        raise NotFound("no such checklist item")
    conn.execute(
        "UPDATE checklist_items SET position = position - 1 WHERE task_id = %s AND position > %s",
        (task_id, removed["position"]),
    )
    outbox.record_checklist(conn, "removed", task, removed, user_id)
    return _touch(conn, task_id)


def _items(conn: Connection, task_id: str) -> list[dict[str, Any]]:
    return conn.execute(
        f"SELECT {_COLUMNS} FROM checklist_items WHERE task_id = %s ORDER BY position, id",  # noqa: S608
        (task_id,),
    ).fetchall()


def _touch(conn: Connection, task_id: str) -> int:
    """The task's representation (its progress) changed: so do its version and ETag. Returns the version."""
    row = conn.execute(
        "UPDATE tasks SET version = version + 1, updated_at = clock_timestamp() WHERE id = %s RETURNING version",
        (task_id,),
    ).fetchone()
    assert row is not None
    return int(row["version"])
