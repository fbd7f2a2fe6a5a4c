"""The transactional outbox: an event is written in the same transaction as the change it
describes, so it exists exactly when the change does. Publishers (publishing.py) send the
rows as CloudEvents; the broker being down only delays them. An event the broker will never
take is quarantined with the reason, and the events after it go on.

An event keeps nothing that a reader of the feed it lands in might not be allowed to see for
as long as it is kept: a tag or a checklist item can be deleted, and a task (with its
history) can move to a workspace where the old one's tags mean nothing to anyone. So an event
names a tag or an item by id only; the feed shows the name or the text when it is read, if
the reader may see it then (activity.py). Nor does an invitation's event say whom it invites:
only owners see that.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from functions.catalog import (
    TASK_EVENT_PREFIX,
    ChecklistEventKind,
    InvitationEventKind,
    MemberEventKind,
    TagEventKind,
    TaskEventKind,
    event_type,
)
from functions.platform.db import Connection

EVENT_SOURCE = "/taskforge/tasks"
# The CloudEvent source of each subject's events: the area that writes them.
_SOURCES = {
    "task": EVENT_SOURCE,
    "tag": "/taskforge/tags",
    "checklist": "/taskforge/checklists",
    "member": "/taskforge/workspaces",
    "invitation": "/taskforge/workspaces",
}

# The events written while `collecting()` is active, with what cloudevent() sends of them: what
# a write handler publishes once its transaction has committed. Their id and time are chosen
# here, not by the INSERT, so nothing waits for its answer: in a pipeline
# (Database.pipelined) the INSERT goes with the COMMIT.
_written: ContextVar[list[dict[str, Any]] | None] = ContextVar("outbox_written", default=None)


def record(
    conn: Connection, kind: TaskEventKind, task: dict[str, Any], actor_id: str, changes: list[str] | None = None
) -> None:
    data = _task_data(task)
    if changes:
        data["changes"] = sorted(changes)
    _write(conn, TASK_EVENT_PREFIX + kind, task["workspace_id"], task["id"], actor_id, data)


def _task_data(task: dict[str, Any]) -> dict[str, Any]:
    return {
        "task_id": task["id"],
        "title": task["title"],
        "workspace_id": task["workspace_id"],
        "due_date": task["due_date"].isoformat() if task.get("due_date") else None,
    }


def record_many(conn: Connection, kind: TaskEventKind, tasks: list[dict[str, Any]], actor_id: str) -> None:
    """`record` for many tasks in one batch of statements (an import's thousands of rows)."""
    events = [
        _event(TASK_EVENT_PREFIX + kind, task["workspace_id"], task["id"], actor_id, _task_data(task)) for task in tasks
    ]
    with conn.cursor() as cursor:
        cursor.executemany(_INSERT, [_row(event) for event in events])
    written = _written.get()
    if written is not None:
        written.extend(events)


def record_tag(
    conn: Connection,
    kind: TagEventKind,
    tag: dict[str, Any],
    actor_id: str,
    task: dict[str, Any] | None = None,
    changes: list[str] | None = None,
) -> None:
    """A tag created, changed or deleted (the workspace's feed), or attached to or detached
    from `task` (its feed too)."""
    data: dict[str, Any] = {"workspace_id": tag["workspace_id"], "tag_id": tag["id"]}
    if task is not None:
        data |= {"task_id": task["id"], "title": task["title"]}
    if changes:
        data["changes"] = sorted(changes)
    _write(conn, event_type("tag", kind), tag["workspace_id"], task["id"] if task else None, actor_id, data)


def record_checklist(
    conn: Connection,
    kind: ChecklistEventKind,
    task: dict[str, Any],
    item: dict[str, Any],
    actor_id: str,
    changes: list[str] | None = None,
) -> None:
    """An item of `task`'s checklist added, changed, checked, unchecked or removed, with the
    checklist's progress after it (what the task shows of its checklist)."""
    progress = conn.execute(
        "SELECT count(*) FILTER (WHERE done) AS done, count(*) AS total FROM checklist_items WHERE task_id = %s",
        (task["id"],),
    ).fetchone()
    assert progress is not None
    data: dict[str, Any] = {
        "workspace_id": task["workspace_id"],
        "task_id": task["id"],
        "title": task["title"],
        "item_id": item["id"],
        "done": item["done"],
        "checklist_progress": {"done": int(progress["done"]), "total": int(progress["total"])},
    }
    if changes:
        data["changes"] = sorted(changes)
    _write(conn, event_type("checklist", kind), task["workspace_id"], task["id"], actor_id, data)


def record_member(
    conn: Connection,
    kind: MemberEventKind,
    workspace_id: str,
    member_id: str,
    role: str,
    actor_id: str,
    previous_role: str | None = None,
) -> None:
    """Someone joined the workspace, had their role changed, was removed or left; named as
    the members list names them (display name, else address)."""
    person = conn.execute(
        "SELECT COALESCE(NULLIF(display_name, ''), email::text) AS name FROM users WHERE id = %s", (member_id,)
    ).fetchone()
    data: dict[str, Any] = {
        "workspace_id": workspace_id,
        "user_id": member_id,
        "member": person["name"] if person else None,
        "role": role,
    }
    if previous_role is not None:
        data["previous_role"] = previous_role
    _write(conn, event_type("member", kind), workspace_id, None, actor_id, data)


def record_invitation(
    conn: Connection, kind: InvitationEventKind, workspace_id: str, role: str | None, actor_id: str
) -> None:
    """An invitation sent or revoked: that it was, and for which role, not to whom."""
    data: dict[str, Any] = {"workspace_id": workspace_id}
    if role is not None:
        data["role"] = role
    _write(conn, event_type("invitation", kind), workspace_id, None, actor_id, data)


def source(type_: str) -> str:
    """The CloudEvent source of an event type (dev.taskforge.<subject>.<kind>)."""
    subject = type_.split(".")[-2] if type_.count(".") >= 3 else ""
    return _SOURCES.get(subject, EVENT_SOURCE)


@contextmanager
def collecting() -> Iterator[list[dict[str, Any]]]:
    """The events written inside the block, as cloudevent() sends them. The caller empties the list
    when a transaction starts again: a rolled-back attempt's events never happened."""
    events: list[dict[str, Any]] = []
    token = _written.set(events)
    try:
        yield events
    finally:
        _written.reset(token)


_INSERT = (
    "INSERT INTO outbox (event_id, type, workspace_id, task_id, actor_id, data, created_at)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s)"
)


def _event(type_: str, workspace_id: str, task_id: str | None, actor_id: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "event_id": str(uuid.uuid4()),
        "type": type_,
        "workspace_id": workspace_id,
        "task_id": task_id,
        "actor_id": actor_id,
        "data": data,
        "created_at": datetime.now(UTC),
    }


def _row(event: dict[str, Any]) -> tuple[Any, ...]:
    return (
        event["event_id"],
        event["type"],
        event["workspace_id"],
        event["task_id"],
        event["actor_id"],
        json.dumps(event["data"]),
        event["created_at"],
    )


def _write(
    conn: Connection, type_: str, workspace_id: str, task_id: str | None, actor_id: str, data: dict[str, Any]
) -> None:
    event = _event(type_, workspace_id, task_id, actor_id, data)
    conn.execute(_INSERT, _row(event))
    written = _written.get()
    if written is not None:
        written.append(event)


_CLAIMED = (
    "SELECT id, event_id::text AS event_id, type, workspace_id::text AS workspace_id, task_id::text AS task_id,"
    " actor_id::text AS actor_id, data, created_at, attempts FROM outbox"
    " WHERE published_at IS NULL AND quarantined_at IS NULL"
)


def claim(conn: Connection, limit: int, settled_seconds: float) -> list[dict[str, Any]]:
    """The oldest unpublished events written more than `settled_seconds` ago (the younger ones
    are their writer's to publish), locked for this transaction; others skip them. Planned at
    every run, as mark_sent is (a minute apart, planning costs nothing)."""
    return conn.execute(
        _CLAIMED
        + " AND created_at < clock_timestamp() - make_interval(secs => %s)"
        + " ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED",
        (settled_seconds, limit),
        prepare=False,
    ).fetchall()


def mark_sent(conn: Connection, event_ids: list[str]) -> None:
    """Marks these events published, passing over any another publisher holds (it is sending
    them: it marks them itself).

    The transaction then commits without waiting for its WAL to reach the disk: the write it
    follows is durable already, and a mark of "published" lost in a crash only means the relay
    sends the event again, which the feed stores once. Each write would otherwise wait for a
    second flush. Nothing here is read, so in a pipeline it all goes in one round trip.

    Planned at every run, never prepared: a plan cached while the outbox was nearly empty
    scans the whole table, and goes on scanning it as it grows, until an ANALYZE."""
    conn.execute("SELECT set_config('synchronous_commit', 'off', true)")
    conn.execute(
        "UPDATE outbox SET published_at = clock_timestamp() WHERE id IN (SELECT id FROM outbox"
        " WHERE event_id = ANY(%s::uuid[]) AND published_at IS NULL FOR UPDATE SKIP LOCKED)",
        (event_ids,),
        prepare=False,
    )


def mark_published(conn: Connection, ids: list[int]) -> None:
    conn.execute("UPDATE outbox SET published_at = clock_timestamp() WHERE id = ANY(%s)", (ids,))


def mark_failed(conn: Connection, event_id: int, error: str) -> None:
    conn.execute("UPDATE outbox SET attempts = attempts + 1, last_error = %s WHERE id = %s", (error, event_id))


def quarantine(conn: Connection, event_id: int, error: str) -> None:
    """Sets an event aside: the relay passes over it until an operator releases it."""
    conn.execute(
        "UPDATE outbox SET quarantined_at = clock_timestamp(), last_error = %s WHERE id = %s", (error, event_id)
    )
