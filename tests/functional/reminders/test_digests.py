"""The overdue digest: at the user's local hour, once a day, only with something overdue."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from functions.taskforge import digests
from functions.taskforge.db import Database
from functions.taskforge.settings import Settings


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
        user = conn.execute("INSERT INTO users (email, password_hash, timezone, digest_hour) VALUES (%s, 'x', %s, %s)"
                            " RETURNING id", (email, timezone, local_hour)
                            ).fetchone()["id"]
        workspace = conn.execute("INSERT INTO workspaces (name, personal, created_by) VALUES ('P', true, %s)"
                                 " RETURNING id", (user,)).fetchone()["id"]
        conn.execute("INSERT INTO memberships VALUES (%s, %s, 'owner')", (workspace, user))
        for index in range(overdue):
            conn.execute("INSERT INTO tasks (owner_id, workspace_id, title, due_date) VALUES (%s, %s, %s, %s)",
                         (user, workspace, f"late {index}", datetime.now(UTC) - timedelta(days=1)))
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


def test_a_failed_digest_is_tried_again(database):
    _user(database, "UTC", 1)

    def failing(to, subject, body):
        raise RuntimeError("SES unavailable")

    assert digests.send_due_digests(database, failing) == 0
    sent = []
    assert digests.send_due_digests(database, lambda *message: sent.append(message)) == 1
