"""The activity feed: task events stored in DynamoDB, newest first per workspace and per task."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from pynamodb.exceptions import PynamoDBException

from functions.catalog import TaskEventKind
from functions.platform.dynamo import activity_model
from functions.platform.errors import BadRequest, ServiceUnavailable
from functions.platform.http import INVALID_CURSOR, decode_cursor, encode_cursor
from functions.platform.settings import Settings

logger = logging.getLogger(__name__)

# How the feed words each task event (TASK_EVENT_KINDS).
SUMMARIES: dict[TaskEventKind, str] = {
    "created": "created",
    "updated": "changed",
    "completed": "completed",
    "reopened": "reopened",
    "deleted": "deleted",
    "skipped": "skipped an occurrence of",
}


def store(settings: Settings, event: dict[str, Any]) -> None:
    """Stores one task event (an EventBridge-shaped event from the broker). Storing the same
    event again writes the same item: redelivery cannot duplicate it."""
    model: Any = activity_model(settings)
    detail = event["detail"]
    kind = event["detail-type"].rsplit(".", 1)[-1]
    # The CloudEvent's own time keeps microseconds; EventBridge's "time" has whole seconds.
    time = _utc_iso(event.get("cloudevent", {}).get("time") or event["time"])
    model(
        detail["workspace_id"],
        f"{time}#{event['id']}",
        task_id=detail["task_id"],
        event_id=event["id"],
        type=event["detail-type"],
        actor_id=detail.get("actor_id"),
        summary=f"{SUMMARIES.get(kind, kind)} “{detail.get('title', '')}”",
        data=json.dumps(detail),
        expires=datetime.now(UTC) + timedelta(days=settings.activity_retention_days),
    ).save()


# A page's cursor is DynamoDB's last evaluated key: exactly the key attributes of what was
# queried (the index's and the table's for the per-task index), each a string.
_TABLE_KEY = frozenset({"workspace_id", "sort_key"})
_TASK_INDEX_KEY = frozenset({"task_id", "sort_key", "workspace_id"})


def page(
    settings: Settings,
    *,
    workspace_id: str | None = None,
    task_id: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    model: Any = activity_model(settings)
    if task_id is not None:
        start = _decode(cursor, _TASK_INDEX_KEY, "task_id", task_id) if cursor else None
        results = model.by_task.query(task_id, scan_index_forward=False, limit=limit, last_evaluated_key=start)
    else:
        start = _decode(cursor, _TABLE_KEY, "workspace_id", workspace_id) if cursor else None
        results = model.query(workspace_id, scan_index_forward=False, limit=limit, last_evaluated_key=start)
    try:  # the query runs as its results are read
        items = [
            {
                "id": record.event_id,
                "type": record.type,
                "task_id": record.task_id,
                "actor_id": record.actor_id,
                "summary": record.summary,
                "time": record.sort_key.split("#", 1)[0],
                "data": json.loads(record.data),
            }
            for record in results
        ]
    except PynamoDBException as exc:
        logger.warning("the activity feed could not be read: %s", exc)
        raise ServiceUnavailable("the activity feed is unavailable; retry shortly") from None
    last = results.last_evaluated_key
    return items, encode_cursor(last) if last and len(items) == limit else None


def _utc_iso(value: str) -> str:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _decode(cursor: str, attributes: frozenset[str], partition: str, partition_value: str | None) -> dict[str, Any]:
    """The start key a cursor stands for, when it is one this query could have handed out:
    anything else would reach DynamoDB and fail there (a 500), or start in another partition."""
    refused = BadRequest(INVALID_CURSOR)
    key = decode_cursor(cursor)
    if not isinstance(key, dict) or set(key) != attributes:
        raise refused
    for value in key.values():
        if not (isinstance(value, dict) and set(value) == {"S"} and isinstance(value["S"], str) and value["S"]):
            raise refused
    if key[partition]["S"] != partition_value:
        raise refused
    return key
