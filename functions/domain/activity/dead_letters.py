"""Dead letters: events the broker could not deliver after every retry, stored in PostgreSQL.

The `taskforge-dead-letters` Broker hands each one to the record-dead-letter function, which
stores it here once (by event id) and counts it in the `DeadLetters` metric, so an alarm
can say that something was dropped and the row says what.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit, single_metric

from functions.platform.db import Connection

METRIC = "DeadLetters"
NAMESPACE = "TaskForge"  # the namespace of every TaskForge metric (api.METRICS_NAMESPACE)

_INSERT = """
INSERT INTO dead_letters (event_id, type, source, subject, time, data, attributes)
VALUES (%(event_id)s, %(type)s, %(source)s, %(subject)s, %(time)s, %(data)s::jsonb, %(attributes)s::jsonb)
ON CONFLICT (event_id) DO NOTHING
RETURNING id
"""


def store(conn: Connection, event: dict[str, Any]) -> bool:
    """Stores one dead letter (an EventBridge-shaped event from the runtime); False when its
    id is already stored, as on a redelivery."""
    attributes = event.get("cloudevent", {})
    row = conn.execute(
        _INSERT,
        {
            "event_id": event["id"],
            "type": attributes.get("type") or event["detail-type"],
            "source": attributes.get("source") or event["source"],
            "subject": attributes.get("subject"),
            # The CloudEvent's own time keeps its precision; the EventBridge field has whole seconds.
            "time": attributes.get("time") or event["time"],
            "data": _jsonb(event["detail"]),
            "attributes": _jsonb(attributes),
        },
    ).fetchone()
    return row is not None


def count(operation: str) -> None:
    """One stored dead letter in the metric an alarm watches."""
    with single_metric(
        name=METRIC, unit=MetricUnit.Count, value=1, namespace=NAMESPACE, default_dimensions={"operation": operation}
    ):
        pass


def _jsonb(value: Any) -> str:
    # jsonb cannot hold U+0000, which JSON allows: a dead letter carrying one is kept, marked.
    return json.dumps(value, default=str).replace("\\u0000", "\\ufffd")
