"""Scheduled every minute: publish the outbox's task events to the broker as CloudEvents.

Events go out in order, and a failure is read for what it says:
- the broker is unreachable or unavailable (no connection, a timeout, 408, 429, 502, 503,
  504): the run stops and the event stays in the outbox for the next one, so an outage
  delays events and loses none;
- the broker refuses this event (another 4xx), or the event cannot even be sent (its data
  is not an object, a header it would carry is not valid): the event is quarantined with
  the reason and the run goes on with the next, so one poisoned event never stops the rest;
- the broker fails on it (another 5xx): it is tried again next run, and quarantined once it
  has failed MAX_ATTEMPTS times.
An event keeps its id however often it is tried or released, and the feed records an id
once: every event reaches the feed exactly once.
"""

import http.client
import json
import urllib.error
import urllib.request
from typing import Any

from functions.domain.activity import outbox
from functions.domain.reminders import quarantine
from functions.platform.db import Connection, Database
from functions.platform.function import event_function

function = event_function(__name__)
settings, logger = function.settings, function.logger
database = Database.for_settings(settings)
OPERATION = function.name  # what its Quarantined metric counts under
MAX_ATTEMPTS = 5
_BATCH = 100
_MARGIN_MS = 10_000
_UNAVAILABLE = frozenset({408, 429, 502, 503, 504})


def publish(event: dict[str, Any]) -> None:
    assert settings.broker_url is not None
    detail = {**event["data"], "actor_id": event["actor_id"]}
    headers = {
        "Content-Type": "application/json",
        "ce-specversion": "1.0",
        "ce-id": event["event_id"],
        "ce-type": event["type"],
        "ce-source": outbox.EVENT_SOURCE,
        "ce-subject": event["task_id"] or "",
        "ce-time": event["created_at"].isoformat(),
    }
    if settings.broker_token:
        headers["X-TaskForge-Broker-Token"] = settings.broker_token
    request = urllib.request.Request(  # noqa: S310 - the broker URL comes from configuration
        settings.broker_url, data=json.dumps(detail).encode(), method="POST", headers=headers
    )
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        if not 200 <= response.status < 300:
            raise urllib.error.HTTPError(settings.broker_url, response.status, "refused", response.headers, None)


def verdict(error: Exception) -> str:
    """What a failed publish says: "down" (the broker cannot take anything now), "refused"
    (it will never take this event) or "failed" (it failed on this event; worth a retry)."""
    if isinstance(error, urllib.error.HTTPError):
        if error.code in _UNAVAILABLE or error.code < 400:
            return "down"
        return "refused" if error.code < 500 else "failed"
    if isinstance(error, OSError | http.client.HTTPException):  # URLError, timeouts, resets
        return "down"
    return "refused"  # raised before anything was sent: the event itself cannot be


def relay_batch(conn: Connection) -> int:
    """Publishes one batch in order; returns how many events it published."""
    return _relay(conn)[0]


def _relay(conn: Connection) -> tuple[int, int]:
    """(published, quarantined) for one batch."""
    published: list[int] = []
    set_aside = 0
    for event in outbox.claim(conn, _BATCH):
        try:
            publish(event)
        except Exception as exc:
            found, why = verdict(exc), quarantine.reason(exc)
            if found == "refused" or (found == "failed" and event["attempts"] + 1 >= MAX_ATTEMPTS):
                outbox.quarantine(conn, event["id"], why)
                quarantine.announce(OPERATION, "event", event["id"], why)
                set_aside += 1
                continue
            if found == "failed":
                outbox.mark_failed(conn, event["id"], why)
            logger.warning(
                "the broker did not take an event; it stays in the outbox",
                extra={"event_id": event["event_id"], "error": why},
            )
            break
        published.append(event["id"])
    outbox.mark_published(conn, published)
    return len(published), set_aside


@function.handler
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    total = 0
    if settings.broker_url is None:
        logger.warning("BROKER_URL is not set; the outbox keeps its events")
        return {"published": 0}
    while context.get_remaining_time_in_millis() > _MARGIN_MS:
        published, set_aside = database.transaction(_relay)
        total += published
        if published + set_aside < _BATCH:
            break
    return {"published": total}
