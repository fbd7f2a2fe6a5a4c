"""The activity feed: task events stored in DynamoDB, newest first per workspace and per task."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from .dynamo import activity_model
from .errors import BadRequest
from .settings import Settings

_SUMMARIES = {
    "created": "created", "updated": "changed", "completed": "completed", "reopened": "reopened",
    "deleted": "deleted", "skipped": "skipped an occurrence of",
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
        summary=f"{_SUMMARIES.get(kind, kind)} “{detail.get('title', '')}”",
        data=json.dumps(detail),
        expires=datetime.now(UTC) + timedelta(days=settings.activity_retention_days),
    ).save()


def page(settings: Settings, *, workspace_id: str | None = None, task_id: str | None = None, limit: int = 50,
         cursor: str | None = None) -> tuple[list[dict[str, Any]], str | None]:
    model: Any = activity_model(settings)
    start = _decode(cursor) if cursor else None
    if task_id is not None:
        results = model.by_task.query(task_id, scan_index_forward=False, limit=limit, last_evaluated_key=start)
    else:
        results = model.query(workspace_id, scan_index_forward=False, limit=limit, last_evaluated_key=start)
    items = [{
        "id": record.event_id,
        "type": record.type,
        "task_id": record.task_id,
        "actor_id": record.actor_id,
        "summary": record.summary,
        "time": record.sort_key.split("#", 1)[0],
        "data": json.loads(record.data),
    } for record in results]
    last = results.last_evaluated_key
    return items, _encode(last) if last and len(items) == limit else None


def _utc_iso(value: str) -> str:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _encode(key: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, sort_keys=True).encode()).decode().rstrip("=")


def _decode(cursor: str) -> dict[str, Any]:
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(key, dict):
            raise ValueError
        return key
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadRequest("the cursor is not valid; start again without it") from None
