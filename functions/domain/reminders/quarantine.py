"""Rows a scheduled function set aside: reported when it happens, listed and released by hand.

A scheduled function that cannot process one row (a reminder, an outbox event, a user's
digest) quarantines it with the reason and goes on with the others, so one poisoned row
never stops everyone's. `announce` logs each at error level and emits the `Quarantined`
metric (namespace TaskForge, dimension `operation`), which an alarm watches. An operator
finds the cause, fixes the row or the code, and releases it (docs/operations.md):

    python -m functions.domain.reminders.quarantine list
    python -m functions.domain.reminders.quarantine release reminder|event|digest <id>|all
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit, single_metric

from functions.platform.db import Connection

logger = logging.getLogger(__name__)

_LIST = """
SELECT 'reminder' AS kind, id::text AS id, quarantined_at, last_error AS error FROM reminders
WHERE status = 'quarantined'
UNION ALL
SELECT 'event', id::text, quarantined_at, last_error FROM outbox WHERE quarantined_at IS NOT NULL
UNION ALL
SELECT 'digest', id::text, digest_quarantined_at, digest_last_error FROM users WHERE digest_quarantined_at IS NOT NULL
ORDER BY quarantined_at, kind, id
"""
# Each release puts the row back where its function picks it up again; a released reminder
# is scheduled afresh from its task (schedules.recompute), a released event keeps its id.
# (`all` releases every row of the kind: after a fault of the code, say, that set many aside.)
_RELEASE = {
    "reminder": "UPDATE reminders SET status = 'pending', quarantined_at = NULL, attempts = 0, fire_at = NULL"
    " WHERE %(id)s IN (id::text, 'all') AND status = 'quarantined' RETURNING task_id::text AS task_id",
    "event": "UPDATE outbox SET quarantined_at = NULL, attempts = 0"
    " WHERE %(id)s IN (id::text, 'all') AND quarantined_at IS NOT NULL RETURNING NULL AS task_id",
    "digest": "UPDATE users SET digest_quarantined_at = NULL"
    " WHERE %(id)s IN (id::text, 'all') AND digest_quarantined_at IS NOT NULL RETURNING NULL AS task_id",
}
KINDS = tuple(_RELEASE)


def reason(error: BaseException | str) -> str:
    """What is recorded with a quarantined row: the error's type and message, bounded."""
    text = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    return text[:500]


def announce(operation: str, kind: str, row_id: object, error: str) -> None:
    """Reports one quarantined row: an error log line with its id and error, and the metric."""
    logger.error(
        "%s: %s %s quarantined: %s",
        operation,
        kind,
        row_id,
        error,
        extra={"operation": operation, "kind": kind, "row_id": str(row_id), "error": error},
    )
    # The namespace of every TaskForge metric (api.METRICS_NAMESPACE).
    with single_metric(
        name="Quarantined",
        unit=MetricUnit.Count,
        value=1,
        namespace="TaskForge",
        default_dimensions={"operation": operation},
    ):
        pass


def quarantined(conn: Connection) -> list[dict[str, Any]]:
    """Every quarantined row, oldest first: kind, id, when and why."""
    return conn.execute(_LIST).fetchall()


def release(conn: Connection, kind: str, row_id: str) -> int:
    """Puts a quarantined row (or `all` of its kind) back in its function's way; how many."""
    from functions.domain.reminders import schedules

    rows = conn.execute(_RELEASE[kind], {"id": row_id}).fetchall()
    for task_id in {row["task_id"] for row in rows if row["task_id"]}:
        schedules.recompute(conn, task_id)
    return len(rows)


def main(argv: list[str]) -> int:
    from functions.platform.db import Database
    from functions.platform.settings import Settings

    if not (argv[:1] == ["list"] and len(argv) == 1) and not (
        argv[:1] == ["release"] and len(argv) == 3 and argv[1] in KINDS
    ):
        print(
            f"usage: python -m functions.domain.reminders.quarantine list | release {'|'.join(KINDS)} <id>|all",
            file=sys.stderr,
        )
        return 2
    database = Database(Settings.from_env())
    try:
        if argv[0] == "list":
            for row in database.transaction(quarantined):
                print(f"{row['kind']}\t{row['id']}\t{row['quarantined_at'].isoformat()}\t{row['error']}")
            return 0
        released = database.transaction(lambda conn: release(conn, argv[1], argv[2]))
    finally:
        database.close()
    print(
        f"released {released} {argv[1]}(s)" if released else f"no quarantined {argv[1]} {argv[2]}",
        file=sys.stdout if released else sys.stderr,
    )
    return 0 if released else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
