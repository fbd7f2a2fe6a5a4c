"""Publishing the outbox: its events go to the broker as CloudEvents, each with the id it was
written with, from two places.

- Promptly: a write handler runs its transaction through `transaction()`, which keeps the
  events the transaction wrote and, once it has committed, sends them at once, within
  PROMPT_BUDGET_SECONDS, then marks what went. Whatever fails there (the broker is down or
  slow, it refuses an event, the database does not answer) is left for the relay and never
  fails the request.
- Scheduled: the relay (functions/activity/relay_outbox.py, every minute) publishes the oldest
  unpublished events, in order, and is the catch-up for whatever the prompt publish missed or
  a crash left behind.

The two never send one row at the same time: the relay claims with FOR UPDATE SKIP LOCKED,
in the transaction that marks them published, only rows written more than
SETTLED_SECONDS ago, and a prompt publish is over within its budget of its commit. It sends
the events as it wrote them, without reading them back, so it costs the write one round trip
(the mark), which passes over a row the relay holds. A publisher that dies between sending
and marking leaves the row unpublished and it is sent again, with the same id, and the feed
stores an id once: every event reaches the feed exactly once.

The relay reads a failure for what it says (the prompt publish only stops at one):
- the broker is unreachable or unavailable (no connection, a timeout, 408, 429, 502, 503,
  504): the run stops and the event waits, so an outage delays events and loses none;
- the broker refuses this event (another 4xx), or the event cannot even be sent (its data is
  not an object, a header it would carry is not valid): the event is quarantined with the
  reason and the run goes on, so one poisoned event never stops the rest;
- the broker fails on it (another 5xx): it is tried again next run, and quarantined once it
  has failed MAX_ATTEMPTS times.
"""

from __future__ import annotations

import email.message
import http.client
import json
import logging
import time
import urllib.error
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from functions.domain.activity import outbox
from functions.domain.reminders import quarantine
from functions.platform.db import Connection, Database
from functions.platform.dependencies import Dependencies
from functions.platform.keepalive import KeptAlive
from functions.platform.settings import Settings

logger = logging.getLogger(__name__)
T = TypeVar("T")

MAX_ATTEMPTS = 5
BATCH = 100
# The relay has a minute; a request has a person waiting for it.
RELAY_SEND_TIMEOUT_SECONDS = 5.0
PROMPT_BUDGET_SECONDS = 1.0
# How long the relay leaves a new event to the write that made it: ten budgets.
SETTLED_SECONDS = 10.0
TOKEN_HEADER = "X-TaskForge-Broker-Token"  # noqa: S105 - a header name, not a secret
_UNAVAILABLE = frozenset({408, 429, 502, 503, 504})

# Sends one outbox event within a timeout (seconds); raises when the broker did not take it.
Send = Callable[[dict[str, Any], float], None]


def broker(settings: Settings) -> Send | None:
    """Where the settings say events go (BROKER_URL), or None when nowhere can: unset, or not
    an http(s) URL (every send would fail before reaching anything, and be quarantined)."""
    url, token = settings.broker_url, settings.broker_token
    if url is None:
        return None
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        logger.error("BROKER_URL is not an http(s) URL; the outbox keeps its events")
        return None

    def send_to_broker(event: dict[str, Any], timeout: float) -> None:
        send(url, token, event, timeout)

    return send_to_broker


def cloudevent(event: dict[str, Any], token: str | None) -> tuple[dict[str, str], bytes]:
    """An outbox event as a binary-mode CloudEvent: its headers and its body. `Prefer:
    respond-async` lets a broker answer once it holds the event (Knative's Broker always does;
    the local stack's stand-in then delivers after answering, which keeps a publisher from
    waiting on a subscriber hosted in its own process)."""
    detail = {**event["data"], "actor_id": event["actor_id"]}
    headers = {
        "Content-Type": "application/json",
        "Prefer": "respond-async",
        "ce-specversion": "1.0",
        "ce-id": event["event_id"],
        "ce-type": event["type"],
        "ce-source": outbox.source(event["type"]),
        "ce-time": event["created_at"].isoformat(),
    }
    if event["task_id"]:  # the task it concerns; an event of the workspace itself has no subject
        headers["ce-subject"] = event["task_id"]
    if token:
        headers[TOKEN_HEADER] = token
    return headers, json.dumps(detail).encode()


def send(url: str, token: str | None, event: dict[str, Any], timeout: float) -> None:
    """POSTs one outbox event to the broker; raises unless it answers 2xx within `timeout`."""
    headers, body = cloudevent(event, token)
    status = _connections.post(url, headers, body, timeout)
    if not 200 <= status < 300:
        raise urllib.error.HTTPError(url, status, "refused", email.message.Message(), None)


_connections = KeptAlive()


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


@dataclass(frozen=True)
class Outcome:
    published: int
    set_aside: int


def relay(conn: Connection, send: Send, operation: str, limit: int = BATCH) -> Outcome:
    """Publishes the oldest unpublished events (at most `limit`), in order, with the rules
    above; `operation` names the Quarantined metric of what it sets aside."""
    return _publish(conn, outbox.claim(conn, limit, SETTLED_SECONDS), send, operation)


def transaction(deps: Dependencies, work: Callable[[Connection], T], pipelined: bool = False) -> T:
    """deps.database.transaction(work) (pipelined(work) if `pipelined`: for work written for
    it), then the events it wrote go to the broker at once.

    The publish starts after the commit (an event must never announce a change that did not
    happen) and takes PROMPT_BUDGET_SECONDS at most; whatever it leaves is the relay's."""
    run = deps.database.pipelined if pipelined else deps.database.transaction
    with outbox.collecting() as written:

        def attempt(conn: Connection) -> T:
            written.clear()  # a rolled-back attempt's events never happened
            return work(conn)

        result = run(attempt)
        events = list(written)
    send = broker(deps.settings)
    if events and send is not None:
        publish_written(deps.database, send, events)
    return result


def publish_written(
    database: Database, send: Send, events: Iterable[dict[str, Any]], budget: float = PROMPT_BUDGET_SECONDS
) -> int:
    """Sends these just-committed events in order, then marks those that went; how many went.
    Never raises: the first failure, or the end of the budget, leaves the rest to the relay."""
    deadline = time.monotonic() + budget
    sent: list[str] = []
    for event in events:
        timeout = deadline - time.monotonic()
        if timeout <= 0:
            break
        try:
            send(event, timeout)
        except Exception as exc:
            logger.info("the broker did not take an event now; the relay will", extra={"error": quarantine.reason(exc)})
            break
        sent.append(event["event_id"])
    if not sent:
        return 0
    try:
        database.pipelined(lambda conn: outbox.mark_sent(conn, sent), attempts=1, timeout=budget)
    except Exception as exc:
        # Sent but not marked: the relay sends them again, and the feed keeps each id once.
        logger.warning("the prompt publish could not mark what it sent: %s", quarantine.reason(exc))
    return len(sent)


def _publish(conn: Connection, events: list[dict[str, Any]], send: Send, operation: str) -> Outcome:
    """Sends `events` (claimed in this transaction) in order and marks what went, reading each
    failure as the module says; `operation` names the Quarantined metric."""
    published: list[int] = []
    set_aside = 0
    for event in events:
        try:
            send(event, RELAY_SEND_TIMEOUT_SECONDS)
        except Exception as exc:
            why = quarantine.reason(exc)
            found = verdict(exc)
            if found == "refused" or (found == "failed" and event["attempts"] + 1 >= MAX_ATTEMPTS):
                outbox.quarantine(conn, event["id"], why)
                quarantine.announce(operation, "event", event["id"], why)
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
    return Outcome(len(published), set_aside)
