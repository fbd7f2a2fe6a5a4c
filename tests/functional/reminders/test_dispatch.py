"""Reminder dispatch against real PostgreSQL, with DynamoDB and SES faked by moto."""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from botocore.exceptions import ClientError

from functions.devserver.local_aws import prepare
from functions.domain.reminders import dispatch, schedules
from functions.platform import mailer
from functions.platform.db import Database
from functions.platform.dynamo import DeliveryLedger
from functions.platform.settings import Settings


@pytest.fixture
def settings(database_url):
    """The test run's moto server (see tests/conftest.py), with a ledger table of this test's own.

    Not moto's in-process mock: stopping it would reset the state the server shares.
    """
    table = f"ledger-{uuid.uuid4().hex[:8]}"
    settings = Settings(
        database_url=database_url,
        delivery_ledger_table=table,
        reminder_batch_size=50,
        aws_endpoint_url=os.environ["AWS_ENDPOINT_URL"],
    )
    prepare(settings)  # the ledger's table and the verified sender, as the local stack makes them
    return settings


@pytest.fixture
def database(settings):
    database = Database(settings)
    yield database
    database.close()


def _seed(database: Database, count: int, due_in: timedelta = timedelta(minutes=-1)) -> list[str]:
    """`count` reminders on one user's tasks, all scheduled at now + due_in."""
    when = datetime.now(UTC) + due_in

    def seed(conn):
        user = conn.execute(
            "INSERT INTO users (email, password_hash) VALUES (%s, 'x') RETURNING id",
            (f"{uuid.uuid4().hex[:8]}@example.com",),
        ).fetchone()["id"]
        workspace = conn.execute(
            "INSERT INTO workspaces (name, personal, created_by) VALUES ('P', true, %s) RETURNING id", (user,)
        ).fetchone()["id"]
        tasks = conn.execute(
            "INSERT INTO tasks (owner_id, workspace_id, title, due_date) SELECT %s, %s, 'task ' || n, %s"
            " FROM generate_series(1, %s) n RETURNING id",
            (user, workspace, when + timedelta(hours=1), count),
        ).fetchall()
        ids = []
        for task in tasks:
            ids.append(
                conn.execute(
                    "INSERT INTO reminders (task_id, user_id, at) VALUES (%s, %s, %s) RETURNING id::text AS id",
                    (task["id"], user, when),
                ).fetchone()["id"]
            )
            schedules.recompute(conn, task["id"])
        return ids

    return database.transaction(seed)


def _statuses(database: Database) -> Counter:
    rows = database.transaction(lambda conn: conn.execute("SELECT status FROM reminders").fetchall())
    return Counter(row["status"] for row in rows)


def test_a_due_reminder_is_emailed_once(settings, database):
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    _seed(database, 3)
    ledger = DeliveryLedger(settings)
    send = lambda row: mailer.send(settings, row["email"], *dispatch.message(row))  # noqa: E731
    outbox = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages  # the server runs in this process
    before = len(outbox)

    first = dispatch.dispatch_due(database, settings, ledger, send)
    second = dispatch.dispatch_due(database, settings, ledger, send)

    assert first.sent == 3
    assert second.handled == 0
    messages = outbox[before:]
    assert len(messages) == 3
    assert messages[0].subject.startswith("Reminder: task")
    assert _statuses(database) == {"sent": 3}


def test_two_dispatchers_racing_over_1000_reminders_deliver_each_once(settings, database):
    _seed(database, 1000)
    deliveries: Counter = Counter()
    lock = threading.Lock()

    def send(row):
        with lock:
            deliveries[dispatch.delivery_id(row)] += 1

    barrier = threading.Barrier(2, timeout=30)
    outcomes = []

    def dispatcher():
        ledger = DeliveryLedger(settings)
        barrier.wait()
        outcomes.append(dispatch.dispatch_due(database, settings, ledger, send))

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert len(deliveries) == 1000
    assert set(deliveries.values()) == {1}
    assert sum(outcome.sent for outcome in outcomes) == 1000
    assert _statuses(database) == {"sent": 1000}


class Killed(BaseException):
    """Stands for the process dying: nothing below catches it, the transaction rolls back."""


def test_a_dispatcher_killed_mid_batch_loses_nothing_and_sends_nothing_twice(settings, database):
    _seed(database, 120)
    deliveries: Counter = Counter()

    def dying_send(row):
        if sum(deliveries.values()) == 70:
            raise Killed
        deliveries[dispatch.delivery_id(row)] += 1

    # A lease of 0 s stands for waiting until the dead dispatcher's claims run out.
    with pytest.raises(Killed):
        dispatch.dispatch_due(database, settings, DeliveryLedger(settings, lease_seconds=0), dying_send)
    restarted = dispatch.dispatch_due(
        database, settings, DeliveryLedger(settings), lambda row: deliveries.update([dispatch.delivery_id(row)])
    )

    assert len(deliveries) == 120
    assert set(deliveries.values()) == {1}
    assert restarted.already_sent == 20  # the killed batch's sends, recorded in the ledger only
    assert _statuses(database) == {"sent": 120}


def test_a_failed_send_leaves_the_reminder_due_with_backoff(settings, database):
    [reminder] = _seed(database, 1)

    def ses_down(row):
        raise ClientError({"Error": {"Code": "Throttling", "Message": "slow down"}}, "SendEmail")

    outcome = dispatch.dispatch_due(database, settings, DeliveryLedger(settings), ses_down)
    row = database.transaction(
        lambda conn: conn.execute(
            "SELECT status, attempts, fire_at, last_error FROM reminders WHERE id = %s", (reminder,)
        ).fetchone()
    )

    assert outcome.retried == 1
    assert row["status"] == "pending"
    assert row["attempts"] == 1
    assert row["fire_at"] > datetime.now(UTC)
    assert "Throttling" in row["last_error"]
    # It goes out on a later run, once.
    later = lambda: datetime.now(UTC) + timedelta(minutes=2)  # noqa: E731
    sent: list[str] = []
    dispatch.dispatch_due(database, settings, DeliveryLedger(settings), lambda r: sent.append(r["id"]), now=later)
    assert sent == [reminder]


def test_a_ledger_outage_leaves_the_reminder_due(settings, database, monkeypatch):
    _seed(database, 2)
    ledger = DeliveryLedger(settings)

    def unavailable(delivery_id):
        raise ClientError({"Error": {"Code": "InternalServerError", "Message": "down"}}, "PutItem")

    monkeypatch.setattr(ledger, "claim", unavailable)
    sent: list[str] = []
    outcome = dispatch.dispatch_due(database, settings, ledger, lambda row: sent.append(row["id"]))
    assert sent == []
    assert outcome.retried == 2
    assert _statuses(database) == {"pending": 2}


def test_reminders_missed_while_down_are_caught_up_unless_past_the_horizon(settings, database):
    late = _seed(database, 2, due_in=timedelta(minutes=-30))
    too_late = _seed(database, 1, due_in=-timedelta(seconds=settings.reminder_missed_horizon_seconds + 60))
    sent: list[str] = []
    outcome = dispatch.dispatch_due(database, settings, DeliveryLedger(settings), lambda row: sent.append(row["id"]))
    assert sorted(sent) == sorted(late)
    assert outcome.missed == 1
    status = database.transaction(
        lambda conn: conn.execute("SELECT status FROM reminders WHERE id = %s", (too_late[0],)).fetchone()["status"]
    )
    assert status == "missed"


def test_future_reminders_wait(settings, database):
    _seed(database, 3, due_in=timedelta(minutes=10))
    assert dispatch.dispatch_due(database, settings, DeliveryLedger(settings), lambda row: None).handled == 0


def test_lag_is_the_age_of_the_oldest_due_reminder(settings, database):
    assert dispatch.lag_seconds(database) == 0.0
    _seed(database, 2, due_in=timedelta(minutes=-5))
    assert 290 <= dispatch.lag_seconds(database) <= 400
    dispatch.dispatch_due(database, settings, DeliveryLedger(settings), lambda row: None)
    assert dispatch.lag_seconds(database) == 0.0


def _seed_year_zero(database: Database) -> str:
    """The row of the issue, as the API stored it before: a task due 0001-01-01 with a reminder
    a day before, in year 0, which Python cannot load. The throwaway database drops the checks
    that refuse such rows now."""
    [poisoned] = _seed(database, 1)

    def write(conn):
        conn.execute("ALTER TABLE reminders DROP CONSTRAINT reminders_times_in_range")
        conn.execute("ALTER TABLE tasks DROP CONSTRAINT tasks_due_date_in_range")
        conn.execute(
            "UPDATE tasks SET due_date = '0001-01-01T00:00:00Z'"
            " WHERE id = (SELECT task_id FROM reminders WHERE id = %s)",
            (poisoned,),
        )
        conn.execute(
            "UPDATE reminders SET scheduled_at = '0001-12-31 00:00:00+00 BC',"
            " fire_at = '0001-12-31 00:00:00+00 BC' WHERE id = %s",
            (poisoned,),
        )

    database.transaction(write)
    return poisoned


def _reminder(database: Database, reminder_id: str) -> dict:
    return database.transaction(
        lambda conn: conn.execute(
            "SELECT status, last_error, quarantined_at, fire_at FROM reminders WHERE id = %s", (reminder_id,)
        ).fetchone()
    )


def test_a_reminder_that_does_not_load_is_quarantined_and_everyone_elses_go_out(settings, database, capsys, caplog):
    poisoned = _seed_year_zero(database)
    others = _seed(database, 2)  # another user's
    sent: list[str] = []

    assert dispatch.lag_seconds(database) > 0  # the poisoned row is due, and the lag can say so
    outcome = dispatch.dispatch_due(database, settings, DeliveryLedger(settings), lambda row: sent.append(row["id"]))

    assert sorted(sent) == sorted(others)
    assert (outcome.sent, outcome.quarantined) == (2, 1)
    row = _reminder(database, poisoned)
    assert row["status"] == "quarantined"
    assert row["quarantined_at"] is not None
    assert row["fire_at"] is None
    assert "DataError" in row["last_error"]
    assert dispatch.lag_seconds(database) == 0.0  # quarantined is not due: the lag alarm rests
    assert any(record.levelname == "ERROR" and poisoned in record.getMessage() for record in caplog.records)
    metrics = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"Quarantined"' in line]
    assert [(metric["operation"], metric["Quarantined"]) for metric in metrics] == [("dispatch-reminders", [1.0])]
    # The next run has nothing left to trip over.
    assert dispatch.dispatch_due(database, settings, DeliveryLedger(settings), sent.append).handled == 0


def test_a_reminder_whose_message_cannot_be_written_is_quarantined_before_anything_is_sent(settings, database):
    [poisoned] = _seed(database, 1)
    others = _seed(database, 2)
    database.transaction(
        lambda conn: conn.execute(
            "UPDATE users SET timezone = 'Mars/Olympus' WHERE id = (SELECT user_id FROM reminders WHERE id = %s)",
            (poisoned,),
        )
    )
    sent: list[str] = []

    def send(row):
        dispatch.message(row)
        sent.append(row["id"])

    outcome = dispatch.dispatch_due(database, settings, DeliveryLedger(settings), send)

    assert sorted(sent) == sorted(others)
    assert outcome.quarantined == 1
    row = _reminder(database, poisoned)
    assert row["status"] == "quarantined"
    assert "Mars/Olympus" in row["last_error"]


def test_a_statement_that_fails_for_one_reminder_undoes_that_reminder_only(settings, database):
    [poisoned] = _seed(database, 1)
    others = _seed(database, 2)
    # Its next attempt count no longer fits the column: recording the failed send fails in SQL.
    database.transaction(
        lambda conn: conn.execute("UPDATE reminders SET attempts = 2147483647 WHERE id = %s", (poisoned,))
    )
    sent: list[str] = []

    def send(row):
        if row["id"] == poisoned:
            raise ClientError({"Error": {"Code": "Throttling", "Message": "slow down"}}, "SendEmail")
        sent.append(row["id"])

    outcome = dispatch.dispatch_due(database, settings, DeliveryLedger(settings), send)

    assert sorted(sent) == sorted(others)
    assert (outcome.sent, outcome.quarantined) == (2, 1)
    assert "NumericValueOutOfRange" in _reminder(database, poisoned)["last_error"]
    assert _statuses(database) == {"sent": 2, "quarantined": 1}


def test_a_released_reminder_is_scheduled_again_and_delivered(settings, database):
    from functions.domain.reminders import quarantine

    [reminder] = _seed(database, 1)
    user = "(SELECT user_id FROM reminders WHERE id = %s)"
    database.transaction(
        lambda conn: conn.execute(f"UPDATE users SET timezone = 'Mars/Olympus' WHERE id = {user}", (reminder,))
    )
    dispatch.dispatch_due(database, settings, DeliveryLedger(settings), lambda row: None)
    assert _reminder(database, reminder)["status"] == "quarantined"

    database.transaction(
        lambda conn: conn.execute(f"UPDATE users SET timezone = 'Europe/Paris' WHERE id = {user}", (reminder,))
    )  # the cause, fixed
    assert database.transaction(lambda conn: quarantine.release(conn, "reminder", reminder)) == 1
    assert _reminder(database, reminder)["status"] == "pending"
    sent: list[str] = []
    dispatch.dispatch_due(database, settings, DeliveryLedger(settings), lambda row: sent.append(row["id"]))

    assert sent == [reminder]
    assert _statuses(database) == {"sent": 1}
