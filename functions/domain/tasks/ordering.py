"""Where a task goes in its workspace's manual order: the key of a new place, read from the
neighbours the server finds itself, so a client sending a stale picture of the list can at
worst put a task next to the wrong one, never give two tasks one place.

Whoever computes a key in a workspace first takes the lock that every task write in it takes
anyway (the cache generation trigger of migration 0005 updates the workspace row): two
writers never read the same neighbours, and the unique (workspace_id, position) constraint
is the backstop. In READ COMMITTED each statement after the lock sees what the previous
holder committed.
"""

from __future__ import annotations

from typing import Any

from functions.domain.auth import auth
from functions.domain.tasks import positions
from functions.platform.db import Connection
from functions.platform.errors import Conflict, Unprocessable

# A key this long (some 250 drops into one gap) renumbers the whole list with short keys.
RENUMBER_AT = 48


_LAST = "SELECT position FROM tasks WHERE workspace_id = {} ORDER BY position DESC LIMIT 1"
# The last key of the workspace auth.open_for_writing opens: its `read_after_lock` for keys_after.
LAST_KEY_OF_WRITTEN_WORKSPACE = _LAST.format(auth.WRITTEN_WORKSPACE)


def at_end(conn: Connection, workspace_id: str, count: int) -> list[str]:
    """`count` keys after every task of the workspace, reading only the last key (an index probe)."""
    _lock(conn, workspace_id)
    return keys_after(conn.execute(_LAST.format("%s"), (workspace_id,)).fetchone(), count)


def keys_after(last: dict[str, Any] | None, count: int) -> list[str]:
    """`count` keys after `last`, the row of LAST_KEY_OF_WRITTEN_WORKSPACE (None: an empty list)."""
    return positions.sequence(count, last["position"] if last else None)


def place(conn: Connection, workspace_id: str, task_id: str, placement: dict[str, Any]) -> str:
    """The key for `task_id` in `workspace_id` by one of (see TaskPatch):
    - `position`: this key, if no other task of the workspace has it;
    - `after`: right after that task (None: first);
    - `before`: right before that task (None: last).
    """
    _lock(conn, workspace_id)
    if "position" in placement:
        key = str(placement["position"])
        taken = conn.execute(
            "SELECT 1 FROM tasks WHERE workspace_id = %s AND position = %s AND id <> %s", (workspace_id, key, task_id)
        ).fetchone()
        if taken:
            raise Conflict("another task of the workspace is at this position; move it after or before a task instead")
        return key
    key = _between_neighbours(conn, workspace_id, task_id, placement)
    if len(key) >= RENUMBER_AT:
        renumber(conn, workspace_id)
        key = _between_neighbours(conn, workspace_id, task_id, placement)
    return key


def renumber(conn: Connection, workspace_id: str) -> None:
    """Gives every task of the workspace a short key, in the order they have now. Their versions
    move, as their position is part of what a client holds."""
    rows = conn.execute(
        "SELECT id::text AS id FROM tasks WHERE workspace_id = %s ORDER BY position, id", (workspace_id,)
    ).fetchall()
    keys = positions.sequence(len(rows))
    conn.execute(
        "UPDATE tasks t SET position = k.position, version = t.version + 1"
        " FROM unnest(%s::uuid[], %s::text[]) AS k (id, position) WHERE t.id = k.id AND t.position <> k.position",
        ([row["id"] for row in rows], keys),
    )


def _between_neighbours(conn: Connection, workspace_id: str, task_id: str, placement: dict[str, Any]) -> str:
    if "after" in placement:
        low = _anchor(conn, workspace_id, task_id, placement["after"], "after")
        high = _next(conn, workspace_id, task_id, low, upward=True)
    else:
        high = _anchor(conn, workspace_id, task_id, placement["before"], "before")
        low = _next(conn, workspace_id, task_id, high, upward=False)
    return positions.between(low, high)


def _anchor(conn: Connection, workspace_id: str, task_id: str, anchor_id: str | None, side: str) -> str | None:
    """The key of the task to go next to; None for an open end."""
    if anchor_id is None:
        return None
    if anchor_id == task_id:
        raise Unprocessable(f"a task cannot go {side} itself")
    row = conn.execute(
        "SELECT position FROM tasks WHERE id = %s AND workspace_id = %s", (anchor_id, workspace_id)
    ).fetchone()
    if row is None:
        raise Unprocessable(f"the task to go {side} is not in this task's workspace")
    return str(row["position"])


def _next(conn: Connection, workspace_id: str, task_id: str, key: str | None, upward: bool) -> str | None:
    """The nearest key above (or below) `key` (None: from the far end), the moving task aside."""
    if upward:
        condition, direction = ("position > %s", "ASC") if key is not None else ("true", "ASC")
    else:
        condition, direction = ("position < %s", "DESC") if key is not None else ("true", "DESC")
    values: list[Any] = [workspace_id, task_id] + ([key] if key is not None else [])
    row = conn.execute(
        f"SELECT position FROM tasks WHERE workspace_id = %s AND id <> %s AND {condition}"  # noqa: S608 - fixed text
        f" ORDER BY position {direction} LIMIT 1",
        values,
    ).fetchone()
    return str(row["position"]) if row else None


def _lock(conn: Connection, workspace_id: str) -> None:
    conn.execute("SELECT 1 FROM workspaces WHERE id = %s FOR NO KEY UPDATE", (workspace_id,))
