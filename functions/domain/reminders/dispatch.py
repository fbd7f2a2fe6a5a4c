"""Delivering due reminders: claimed in batches, each delivery recorded once.

Rows are claimed with FOR UPDATE SKIP LOCKED, so dispatchers running side by side
split the work. Each delivery (a reminder for one occurrence) is claimed in the DynamoDB
ledger with a conditional put before it is sent and confirmed after; a dispatcher
that dies mid-batch leaves its rows pending (its transaction rolls back), and the
next run finds the ledger saying what was already sent. A reminder due while no
dispatcher ran is sent late rather than dropped, unless it is older than the
missed horizon. A failed send (SES, DynamoDB, a webhook) leaves the reminder
pending with a growing backoff.

A row that cannot be processed at all (it does not load, its message cannot be
written, a statement about it fails) is quarantined with its error, and the rest of
the batch goes out: the claim takes ids only, each row is loaded and handled in a
savepoint of its own, so one poisoned row never holds back anyone else's reminders.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from functions.domain.push import subscriptions
from functions.domain.reminders import quarantine
from functions.platform.db import Connection, Database
from functions.platform.dynamo import DeliveryLedger
from functions.platform.settings import Settings

logger = logging.getLogger(__name__)

OPERATION = "dispatch-reminders"  # functions/catalog.py
Sender = Callable[[dict[str, Any]], None]  # raises when the delivery did not happen

# Ids only: nothing in a row's values can make the claim fail.
_CLAIM = """
SELECT r.id FROM reminders r JOIN tasks t ON t.id = r.task_id
WHERE r.status = 'pending' AND r.fire_at <= %s AND NOT t.completed
ORDER BY r.fire_at
LIMIT %s
FOR UPDATE OF r SKIP LOCKED
"""
_LOAD = """
SELECT r.id::text AS id, r.occurrence, r.scheduled_at, r.attempts, r.before_due, r.channel,
       t.id::text AS task_id, t.title, t.description, t.due_date,
       u.email::text AS email, u.display_name, u.timezone, u.reminder_webhook_url, u.webhook_secret,
       CASE WHEN r.channel = 'push' THEN (
           SELECT coalesce(json_agg(json_build_object('id', s.id, 'endpoint', s.endpoint, 'p256dh', s.p256dh,
                                                      'auth', s.auth) ORDER BY s.created_at), '[]')
           FROM push_subscriptions s WHERE s.user_id = u.id
       ) ELSE '[]' END AS push_subscriptions
FROM reminders r
JOIN tasks t ON t.id = r.task_id
JOIN users u ON u.id = r.user_id
WHERE r.id = ANY(%s)
"""
# The outcomes that end a reminder's delivery, and the status each leaves it in.
_MARKS = {"sent": "sent", "already_sent": "sent", "missed": "missed"}


@dataclass
class Outcome:
    sent: int = 0
    already_sent: int = 0
    missed: int = 0
    retried: int = 0
    failed: int = 0
    quarantined: int = 0

    def __iadd__(self, other: Outcome) -> Outcome:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self

    @property
    def handled(self) -> int:
        return self.sent + self.already_sent + self.missed + self.retried + self.failed + self.quarantined


def dispatch_due(
    database: Database,
    settings: Settings,
    ledger: DeliveryLedger,
    send: Sender,
    keep_going: Callable[[], bool] = lambda: True,
    now: Callable[[], datetime] | None = None,
) -> Outcome:
    """Delivers every reminder due now, batch after batch, while `keep_going()` (the deadline)."""
    clock = now or (lambda: datetime.now(UTC))
    total = Outcome()
    while keep_going():
        batch = database.transaction(lambda conn: _batch(conn, settings, ledger, send, clock()))
        total += batch
        if batch.handled < settings.reminder_batch_size:
            break
    return total


def lag_seconds(database: Database, now: datetime | None = None) -> float:
    """How late the oldest due reminder is (0 when none is due): what the lag alarm watches.
    Quarantined reminders are not due; the age is computed in SQL, so no stored time can fail it."""
    row = database.transaction(
        lambda conn: conn.execute(
            "SELECT EXTRACT(EPOCH FROM %(now)s - min(fire_at))::float8 AS age FROM reminders"
            " WHERE status = 'pending' AND fire_at <= %(now)s",
            {"now": now or datetime.now(UTC)},
        ).fetchone()
    )
    if row is None or row["age"] is None:
        return 0.0
    return max(0.0, float(row["age"]))


def delivery_id(row: dict[str, Any]) -> str:
    return f"{row['id']}#{row['occurrence'].astimezone(UTC).isoformat()}"


def _batch(conn: Connection, settings: Settings, ledger: DeliveryLedger, send: Sender, now: datetime) -> Outcome:
    outcome = Outcome()
    done: dict[str, list[str]] = {"sent": [], "missed": []}  # marked together, one statement each
    ids = [row["id"] for row in conn.execute(_CLAIM, (now, settings.reminder_batch_size)).fetchall()]
    for reminder_id, row in _load(conn, ids):
        try:
            with conn.transaction():  # a savepoint: a failed statement undoes this reminder only
                if isinstance(row, Exception):
                    raise row
                result = _deliver(conn, settings, ledger, send, row, now)
        except Exception as exc:
            _quarantine(conn, reminder_id, exc)
            outcome.quarantined += 1
            continue
        if result in _MARKS:
            done[_MARKS[result]].append(reminder_id)
        setattr(outcome, result, getattr(outcome, result) + 1)
    for status, reminder_ids in done.items():
        if reminder_ids:
            _set(conn, reminder_ids, status)
    return outcome


def _load(conn: Connection, ids: list[Any]) -> list[tuple[str, dict[str, Any] | Exception]]:
    """(id, row) in claim order: together when they load, else one by one, each in a savepoint,
    with the error in place of a row that will not load (a time Python cannot hold, say)."""
    try:
        with conn.transaction():
            rows = {row["id"]: row for row in conn.execute(_LOAD, (ids,)).fetchall()}
    except Exception as exc:
        logger.warning("a batch of reminders does not load, so one by one: %s", exc)
        return [(str(reminder_id), _load_one(conn, reminder_id)) for reminder_id in ids]
    return [(str(reminder_id), rows.get(str(reminder_id)) or LookupError("no such reminder")) for reminder_id in ids]


def _load_one(conn: Connection, reminder_id: Any) -> dict[str, Any] | Exception:
    try:
        with conn.transaction():
            return conn.execute(_LOAD, ([reminder_id],)).fetchone() or LookupError("no such reminder")
    except Exception as exc:
        return exc


def _deliver(
    conn: Connection, settings: Settings, ledger: DeliveryLedger, send: Sender, row: dict[str, Any], now: datetime
) -> str:
    """Delivers one claimed reminder; the Outcome field it counts as. Raises only on what no
    retry would mend (the reminder is then quarantined)."""
    if row["scheduled_at"] < now - timedelta(seconds=settings.reminder_missed_horizon_seconds):
        return "missed"
    key = delivery_id(row)
    row["subject"], row["body"] = message(row)  # before anything is claimed: a row it fails on is poisoned
    try:
        claimed = ledger.claim(key)
        if not claimed:
            state = ledger.state(key)
            if state and state[0] == "sent":
                return "already_sent"
            # Claimed by a dispatcher that died before confirming: after its lease. If it died
            # after the provider took the message, this sends it twice (the webhook's
            # delivery_id lets a receiver drop the repeat); never zero times.
            _retry_at(conn, row["id"], row["attempts"], now + timedelta(seconds=ledger.lease_seconds))
            return "retried"
    except Exception as exc:  # the ledger is unreachable: nothing was sent, try next run
        logger.warning("reminder %s: ledger unavailable: %s", row["id"], exc)
        return _retry(conn, settings, row, now, f"ledger: {exc}")
    try:
        send(row)
    except Exception as exc:
        logger.warning("reminder %s: delivery failed: %s", row["id"], exc)
        subscriptions.forget(conn, row.get("gone_subscriptions", []))
        try:
            ledger.release(key)
        except Exception:  # the lease frees it later anyway
            logger.warning("reminder %s: could not release its claim", row["id"])
        return _retry(conn, settings, row, now, str(exc)[:500])
    # Push subscriptions the push service said are gone (a sender lists them; see push.delivery).
    subscriptions.forget(conn, row.get("gone_subscriptions", []))
    try:
        ledger.confirm(key)
    except Exception:  # sent: the database records it; the claim's lease keeps others off
        logger.warning("reminder %s: sent, but the ledger confirmation failed", row["id"])
    return "sent"


def _quarantine(conn: Connection, reminder_id: str, error: Exception) -> None:
    why = quarantine.reason(error)
    conn.execute(
        "UPDATE reminders SET status = 'quarantined', quarantined_at = now(), last_error = %s,"
        " fire_at = NULL WHERE id = %s",
        (why, reminder_id),
    )
    quarantine.announce(OPERATION, "reminder", reminder_id, why)


def _set(conn: Connection, reminder_ids: list[str], status: str) -> None:
    conn.execute(
        "UPDATE reminders SET status = %s, sent_at = CASE WHEN %s = 'sent' THEN now() ELSE sent_at END,"
        " fire_at = NULL WHERE id = ANY(%s::uuid[])",
        (status, status, reminder_ids),
    )


def _retry(conn: Connection, settings: Settings, row: dict[str, Any], now: datetime, error: str) -> str:
    attempts = row["attempts"] + 1
    if attempts >= settings.reminder_max_attempts:
        conn.execute(
            "UPDATE reminders SET status = 'failed', attempts = %s, last_error = %s, fire_at = NULL WHERE id = %s",
            (attempts, error, row["id"]),
        )
        return "failed"
    _retry_at(conn, row["id"], attempts, now + timedelta(minutes=min(2 ** (attempts - 1), 60)), error)
    return "retried"


def _retry_at(conn: Connection, reminder_id: str, attempts: int, when: datetime, error: str | None = None) -> None:
    conn.execute(
        "UPDATE reminders SET attempts = %s, fire_at = %s, last_error = COALESCE(%s, last_error) WHERE id = %s",
        (attempts, when, error, reminder_id),
    )


def message(row: dict[str, Any]) -> tuple[str, str]:
    """Subject and body of a reminder e-mail, times in the recipient's timezone."""
    from zoneinfo import ZoneInfo

    due = (
        row["due_date"].astimezone(ZoneInfo(row["timezone"] or "UTC")).strftime("%a %d %b %Y %H:%M %Z")
        if row["due_date"]
        else "no due date"
    )
    subject = f"Reminder: {row['title']}"
    body = f"{row['title']}\nDue: {due}\n\n{row['description'] or ''}".rstrip() + "\n"
    return subject, body
