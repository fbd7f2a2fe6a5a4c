"""Scheduled every minute: publish the outbox's task events to the broker as CloudEvents.

Events go out in order; the first one the broker refuses stops the run and stays in
the outbox for the next one, so a broker outage delays events and loses none.
"""

import json
import urllib.error
import urllib.request
from typing import Any

from aws_lambda_powertools import Logger

from functions.taskforge import outbox
from functions.taskforge.db import Connection, Database
from functions.taskforge.settings import Settings

settings = Settings.from_env()
database = Database.for_settings(settings)
logger = Logger(service="activity")
_BATCH = 100
_MARGIN_MS = 10_000


def publish(event: dict[str, Any]) -> None:
    assert settings.broker_url is not None
    detail = {**event["data"], "actor_id": event["actor_id"]}
    request = urllib.request.Request(  # noqa: S310 - the broker URL comes from configuration
        settings.broker_url,
        data=json.dumps(detail).encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "ce-specversion": "1.0",
            "ce-id": event["event_id"],
            "ce-type": event["type"],
            "ce-source": outbox.EVENT_SOURCE,
            "ce-subject": event["task_id"] or "",
            "ce-time": event["created_at"].isoformat(),
        },
    )
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        if not 200 <= response.status < 300:
            raise urllib.error.HTTPError(settings.broker_url, response.status, "refused", response.headers, None)


def relay_batch(conn: Connection) -> int:
    published: list[int] = []
    for event in outbox.claim(conn, _BATCH):
        try:
            publish(event)
        except (OSError, urllib.error.URLError) as exc:
            logger.warning("broker refused an event; it stays in the outbox", extra={"error": str(exc)})
            outbox.mark_failed(conn, [event["id"]])
            break
        published.append(event["id"])
    outbox.mark_published(conn, published)
    return len(published)


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    total = 0
    if settings.broker_url is None:
        logger.warning("BROKER_URL is not set; the outbox keeps its events")
        return {"published": 0}
    while context.get_remaining_time_in_millis() > _MARGIN_MS:
        count = database.transaction(relay_batch)
        total += count
        if count < _BATCH:
            break
    return {"published": total}
