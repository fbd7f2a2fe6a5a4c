"""Scheduled every minute: publish the outbox's events to the broker as CloudEvents, oldest
first. Write handlers publish their own events as soon as they commit; this is the catch-up
for whatever that left (a broker outage, a crash between sending and marking), with the
rules functions/domain/activity/publishing.py gives: an unavailable broker delays events and
loses none, an event the broker refuses (or keeps failing on) is quarantined and the rest go
on. An event keeps its id however often it is sent, and the feed records an id once."""

from typing import Any

from functions.domain.activity import publishing
from functions.platform.db import Connection, Database
from functions.platform.function import event_function

function = event_function(__name__)
settings, logger = function.settings, function.logger
database = Database.for_settings(settings)
OPERATION = function.name  # what its Quarantined metric counts under
MAX_ATTEMPTS = publishing.MAX_ATTEMPTS
_MARGIN_MS = 10_000


def publish(event: dict[str, Any]) -> None:
    """Sends one event to BROKER_URL."""
    send = publishing.broker(settings)
    if send is None:
        raise ValueError("BROKER_URL is not an http(s) URL")
    send(event, publishing.RELAY_SEND_TIMEOUT_SECONDS)


def relay_batch(conn: Connection) -> int:
    """Publishes one batch in order; returns how many events it published."""
    return _relay(conn).published


def _relay(conn: Connection) -> publishing.Outcome:
    return publishing.relay(conn, lambda event, timeout: publish(event), OPERATION)


@function.handler
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    total = 0
    if publishing.broker(settings) is None:
        logger.warning("BROKER_URL is not set (or not an http(s) URL); the outbox keeps its events")
        return {"published": 0}
    while context.get_remaining_time_in_millis() > _MARGIN_MS:
        outcome = database.transaction(_relay)
        total += outcome.published
        if outcome.published + outcome.set_aside < publishing.BATCH:
            break
    return {"published": total}
