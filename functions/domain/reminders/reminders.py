"""Reminders on tasks: absolute, or relative to the due date of each occurrence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from functions.domain.reminders import schedules
from functions.domain.tasks import tasks
from functions.platform.db import Connection
from functions.platform.errors import Conflict, NotFound, Unprocessable

MAX_PER_TASK = 10
HORIZON = timedelta(days=2 * 365)
MAX_BEFORE_DUE = timedelta(days=30)
_COLUMNS = (
    "id::text AS id, task_id::text AS task_id, at, before_due, scheduled_at, fire_at, status, attempts,"
    " sent_at, created_at, channel"
)


def create(
    conn: Connection,
    user_id: str,
    task_id: str,
    at: datetime | None,
    before_due: timedelta | None,
    channel: str = "account",
) -> dict[str, Any]:
    task = tasks.load(conn, user_id, task_id, write=True, lock=True)
    now = datetime.now(UTC)
    if at is not None:
        if at <= now:
            raise Unprocessable("a reminder must be in the future")
        if at > now + HORIZON:
            raise Unprocessable("a reminder can be at most two years ahead")
    if before_due is not None:
        if not timedelta(0) < before_due <= MAX_BEFORE_DUE:
            raise Unprocessable("before_due must be more than zero and at most 30 days (e.g. PT30M)")
        if task["due_date"] is None:
            raise Unprocessable("the task has no due date to be reminded before")
    count = conn.execute("SELECT count(*) AS n FROM reminders WHERE task_id = %s", (task_id,)).fetchone()
    if count and count["n"] >= MAX_PER_TASK:
        raise Conflict(f"a task has at most {MAX_PER_TASK} reminders")
    row = conn.execute(
        "INSERT INTO reminders (task_id, user_id, at, before_due, channel) VALUES (%s, %s, %s, %s, %s)"
        " RETURNING id::text AS id",
        (task_id, user_id, at, before_due, channel),
    ).fetchone()
    assert row is not None
    schedules.recompute(conn, task_id)
    return get(conn, row["id"])


def list_for(conn: Connection, user_id: str, task_id: str) -> list[dict[str, Any]]:
    tasks.load(conn, user_id, task_id)
    return conn.execute(
        f"SELECT {_COLUMNS} FROM reminders WHERE task_id = %s ORDER BY scheduled_at NULLS LAST, id",  # noqa: S608
        (task_id,),
    ).fetchall()


def delete(conn: Connection, user_id: str, task_id: str, reminder_id: str) -> None:
    tasks.load(conn, user_id, task_id, write=True)
    removed = conn.execute(
        "DELETE FROM reminders WHERE id = %s AND task_id = %s RETURNING 1", (reminder_id, task_id)
    ).fetchone()
    if removed is None:
        raise NotFound("no such reminder")


def get(conn: Connection, reminder_id: str) -> dict[str, Any]:
    row = conn.execute(f"SELECT {_COLUMNS} FROM reminders WHERE id = %s", (reminder_id,)).fetchone()  # noqa: S608
    if row is None:
        raise NotFound("no such reminder")
    return row
