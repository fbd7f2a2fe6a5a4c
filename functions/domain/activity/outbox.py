"""The transactional outbox: an event is written in the same transaction as the change it
describes, so it exists exactly when the change does. Publishers (publishing.py) send the
rows as CloudEvents; the broker being down only delays them. An event the broker will never
take is quarantined with the reason, and the events after it go on."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from functions.catalog import TASK_EVENT_PREFIX, TaskEventKind
from functions.platform.db import Connection

EVENT_SOURCE = "/taskforge/tasks"

# The ids of the rows written while `collecting()` is active: what a write handler publishes
# once its transaction has committed.
_written: ContextVar[list[int] | None] = ContextVar("outbox_written", default=None)


def record(
    conn: Connection, kind: TaskEventKind, task: dict[str, Any], actor_id: str, changes: list[str] | None = None
) -> None:
    data = {
        "task_id": task["id"],
        "title": task["title"],
        "workspace_id": task["workspace_id"],
        "due_date": task["due_date"].isoformat() if task.get("due_date") else None,
    }
    if changes:
        data["changes"] = sorted(changes)
    _write(conn, TASK_EVENT_PREFIX + kind, task["workspace_id"], task["id"], actor_id, data)


def source(event_type: str) -> str:
    """The CloudEvent source of an event type."""
    return EVENT_SOURCE


@contextmanager
def collecting() -> Iterator[list[int]]:
    """The ids of the outbox rows written inside the block (and its retries: the ids of a
    rolled-back attempt name no row, and claiming them finds nothing)."""
    ids: list[int] = []
    token = _written.set(ids)
    try:
        yield ids
    finally:
        _written.reset(token)


def _write(
    conn: Connection, event_type: str, workspace_id: str, task_id: str | None, actor_id: str, data: dict[str, Any]
) -> None:
    row = conn.execute(
        "INSERT INTO outbox (type, workspace_id, task_id, actor_id, data) VALUES (%s, %s, %s, %s, %s) RETURNING id",
        (event_type, workspace_id, task_id, actor_id, json.dumps(data)),
    ).fetchone()
    written = _written.get()
    if written is not None and row is not None:
        written.append(int(row["id"]))


_CLAIMED = (
    "SELECT id, event_id::text AS event_id, type, workspace_id::text AS workspace_id, task_id::text AS task_id,"
    " actor_id::text AS actor_id, data, created_at, attempts FROM outbox"
    " WHERE published_at IS NULL AND quarantined_at IS NULL"
)


def claim(conn: Connection, limit: int) -> list[dict[str, Any]]:
    """The oldest unpublished events, locked for this transaction; others skip them."""
    return conn.execute(_CLAIMED + " ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED", (limit,)).fetchall()


def claim_written(conn: Connection, ids: list[int]) -> list[dict[str, Any]]:
    """Those of these events still unpublished and not held by another publisher, in order,
    locked for this transaction."""
    return conn.execute(_CLAIMED + " AND id = ANY(%s) ORDER BY id FOR UPDATE SKIP LOCKED", (ids,)).fetchall()


def mark_published(conn: Connection, ids: list[int]) -> None:
    conn.execute("UPDATE outbox SET published_at = clock_timestamp() WHERE id = ANY(%s)", (ids,))


def mark_failed(conn: Connection, event_id: int, error: str) -> None:
    conn.execute("UPDATE outbox SET attempts = attempts + 1, last_error = %s WHERE id = %s", (error, event_id))


def quarantine(conn: Connection, event_id: int, error: str) -> None:
    """Sets an event aside: the relay passes over it until an operator releases it."""
    conn.execute(
        "UPDATE outbox SET quarantined_at = clock_timestamp(), last_error = %s WHERE id = %s", (error, event_id)
    )
