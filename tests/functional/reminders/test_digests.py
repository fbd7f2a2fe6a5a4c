"""The overdue digest: at the user's local hour, once a day, only with something overdue."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from functions.domain.reminders import digests
from functions.platform.db import Database
from functions.platform.settings import Settings


@pytest.fixture
def database(database_url):
    database = Database(Settings(database_url=database_url))
    yield database
    database.close()


def _user(database, timezone: str, overdue: int, hour_offset: int = 0) -> str:
    """A user with `overdue` overdue tasks whose digest hour is now (+ hour_offset); their e-mail."""
    local_hour = (datetime.now(UTC).astimezone(ZoneInfo(timezone)).hour + hour_offset) % 24

    def create(conn):
        email = f"{uuid.uuid4().hex[:8]}@example.com"
        user = conn.execute(
            "INSERT INTO users (email, password_hash, timezone, digest_hour) VALUES (%s, 'x', %s, %s) RETURNING id",
            (email, timezone, local_hour),
        ).fetchone()["id"]
        workspace = conn.execute(
            "INSERT INTO workspaces (name, personal, created_by) VALUES ('P', true, %s) RETURNING id", (user,)
        ).fetchone()["id"]
        conn.execute("INSERT INTO memberships VALUES (%s, %s, 'owner')", (workspace, user))
        for index in range(overdue):
            conn.execute(
                "INSERT INTO tasks (owner_id, workspace_id, title, due_date) VALUES (%s, %s, %s, %s)",
                (user, workspace, f"late {index}", datetime.now(UTC) - timedelta(days=1)),
            )
        return email

    return database.transaction(create)


def test_each_user_gets_one_digest_a_day_at_their_hour(database):
    due_now = [_user(database, "Europe/Berlin", 2), _user(database, "Asia/Tokyo", 1)]
    _user(database, "America/New_York", 3, hour_offset=1)  # not their hour yet
    _user(database, "UTC", 0)  # nothing overdue
    sent = []
    mail = lambda to, subject, body: sent.append((to, subject, body))  # noqa: E731

    assert digests.send_due_digests(database, mail) == 2
    assert digests.send_due_digests(database, mail) == 0  # once a day
    assert sorted(subject for _, subject, _ in sent) == ["1 overdue task", "2 overdue tasks"]
    assert all("late 0" in body for _, _, body in sent)
    # Exactly the two users whose hour it is and who have something overdue.
    assert sorted(to for to, _, _ in sent) == sorted(due_now)


def test_a_digest_whose_hour_was_missed_goes_out_at_a_later_run_that_day(database):
    two_hours_late = _user(database, "UTC", 1, hour_offset=-2)
    _user(database, "UTC", 1, hour_offset=-digests.CATCH_UP_HOURS)  # too late: tomorrow's will come
    sent = []

    assert digests.send_due_digests(database, lambda to, *message: sent.append(to)) == 1
    assert sent == [two_hours_late]


def test_a_failed_digest_is_tried_again(database):
    _user(database, "UTC", 1)

    def failing(to, subject, body):
        raise RuntimeError("SES unavailable")

    assert digests.send_due_digests(database, failing) == 0
    sent = []
    assert digests.send_due_digests(database, lambda *message: sent.append(message)) == 1


def _digest_state(database, email: str) -> dict:
    return database.transaction(
        lambda conn: conn.execute(
            "SELECT digest_quarantined_at, digest_last_error, last_digest_on FROM users WHERE email = %s", (email,)
        ).fetchone()
    )


def test_a_user_with_an_unknown_time_zone_does_not_stop_everyone_elses_digest(database, capsys):
    others = [_user(database, "Europe/Berlin", 1), _user(database, "UTC", 2)]
    stranded = _user(database, "UTC", 1)
    # A name the API would refuse, written around it: PostgreSQL cannot compute its local hour.
    database.transaction(
        lambda conn: conn.execute("UPDATE users SET timezone = 'Mars/Olympus' WHERE email = %s", (stranded,))
    )
    sent = []

    assert digests.send_due_digests(database, lambda to, subject, body: sent.append(to)) == 2

    assert sorted(sent) == sorted(others)
    state = _digest_state(database, stranded)
    assert state["digest_quarantined_at"] is not None
    assert "Mars/Olympus" in state["digest_last_error"]
    assert '"Quarantined"' in capsys.readouterr().out
    # Reported once, not every hour.
    assert digests.send_due_digests(database, lambda *message: None) == 0
    assert '"Quarantined"' not in capsys.readouterr().out


def test_a_digest_that_cannot_be_put_together_is_quarantined_and_the_others_go(database):
    others = [_user(database, "UTC", 1), _user(database, "Asia/Tokyo", 3)]
    stranded = _user(database, "UTC", 1)

    def year_zero(conn):
        # An overdue task from before the database checked due dates: Python cannot load it.
        conn.execute("ALTER TABLE tasks DROP CONSTRAINT tasks_due_date_in_range")
        conn.execute(
            "UPDATE tasks SET due_date = '0001-01-01 00:00:00+00 BC'"
            " WHERE owner_id = (SELECT id FROM users WHERE email = %s)",
            (stranded,),
        )

    database.transaction(year_zero)
    sent = []

    assert digests.send_due_digests(database, lambda to, subject, body: sent.append(to)) == 2

    assert sorted(sent) == sorted(others)
    state = _digest_state(database, stranded)
    assert state["digest_quarantined_at"] is not None
    assert "DataError" in state["digest_last_error"]


def test_a_released_user_gets_their_digest_again(database):
    from functions.domain.reminders import quarantine

    stranded = _user(database, "UTC", 1)
    database.transaction(
        lambda conn: conn.execute("UPDATE users SET timezone = 'Mars/Olympus' WHERE email = %s", (stranded,))
    )
    digests.send_due_digests(database, lambda *message: None)
    database.transaction(lambda conn: conn.execute("UPDATE users SET timezone = 'UTC' WHERE email = %s", (stranded,)))
    user_id = database.transaction(
        lambda conn: conn.execute("SELECT id::text FROM users WHERE email = %s", (stranded,)).fetchone()["id"]
    )

    assert database.transaction(lambda conn: quarantine.release(conn, "digest", user_id)) == 1
    sent = []
    assert digests.send_due_digests(database, lambda to, subject, body: sent.append(to)) == 1
    assert sent == [stranded]
