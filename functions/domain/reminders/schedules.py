"""When each reminder of a task is next due, recomputed whenever the task changes.

A relative reminder follows the due date (and so each occurrence of a recurring
task); a completed task's reminders rest until it is reopened. A reminder whose
occurrence or time changed starts again as pending: a new delivery.

A relative reminder never falls before 1970, where the range every instant keeps begins
(functions/domain/tasks/models.py Instant): a task due on 1970-01-01 with P30D before it is reminded at
1970-01-01, long past, so the dispatcher records it as missed.
"""

from __future__ import annotations

from functions.platform.db import Connection

_RECOMPUTE = """
WITH planned AS (
    SELECT r.id, p.scheduled_at, p.occurrence, t.completed,
           (r.scheduled_at IS DISTINCT FROM p.scheduled_at OR r.occurrence IS DISTINCT FROM p.occurrence) AS moved
    FROM reminders r
    JOIN tasks t ON t.id = r.task_id,
    LATERAL (SELECT COALESCE(r.at, GREATEST(t.due_date - r.before_due, '1970-01-01T00:00:00Z')) AS scheduled_at,
                    COALESCE(r.at, t.due_date) AS occurrence) p
    WHERE r.task_id = %s
)
UPDATE reminders r SET
    scheduled_at = p.scheduled_at,
    occurrence = p.occurrence,
    status = CASE WHEN p.moved THEN 'pending' ELSE r.status END,
    attempts = CASE WHEN p.moved THEN 0 ELSE r.attempts END,
    fire_at = CASE
        WHEN p.completed THEN NULL
        WHEN p.moved OR (r.fire_at IS NULL AND r.status = 'pending') THEN p.scheduled_at
        ELSE r.fire_at END
FROM planned p
WHERE r.id = p.id
"""


def recompute(conn: Connection, task_id: str) -> None:
    conn.execute(_RECOMPUTE, (task_id,))
