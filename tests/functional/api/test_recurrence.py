"""Recurring tasks: wall-clock time across DST, month ends, completion and skips."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest


def _walk(api, task_id, steps, action="complete"):
    """The due dates the series moves through."""
    seen = []
    for _ in range(steps):
        if action == "complete":
            response = api.patch(f"/api/tasks/{task_id}", json={"completed": True})
        else:
            response = api.post(f"/api/tasks/{task_id}/skip")
        assert response.status_code == 200, response.text
        seen.append(response.json()["due_date"])
    return seen


def _wall_clock(iso: str, zone: str) -> str:
    return datetime.fromisoformat(iso).astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


@pytest.mark.parametrize(
    ("zone", "first"),
    [("America/New_York", "2026-03-06T09:00:00"), ("Europe/Berlin", "2026-03-27T09:00:00"),
     ("Australia/Sydney", "2026-04-03T09:00:00")],
)
def test_a_daily_nine_oclock_task_stays_at_nine_across_dst(make_account, zone, first):
    api = make_account().client
    due = datetime.fromisoformat(first).replace(tzinfo=ZoneInfo(zone)).isoformat()
    task = api.post("/api/tasks", json={"title": "Stand-up", "due_date": due, "recurrence": "FREQ=DAILY",
                                        "timezone": zone}).json()
    seen = _walk(api, task["id"], 5)
    assert [_wall_clock(value, zone)[-5:] for value in seen] == ["09:00"] * 5
    # The UTC offset did change on the way: the instants are not 24 hours apart everywhere.
    offsets = {datetime.fromisoformat(value).astimezone(ZoneInfo(zone)).utcoffset() for value in seen}
    assert len(offsets) == 2


def test_monthly_on_the_31st_skips_shorter_months(make_account):
    api = make_account().client
    task = api.post("/api/tasks", json={"title": "Invoice", "due_date": "2026-01-31T10:00:00Z",
                                        "recurrence": "FREQ=MONTHLY;BYMONTHDAY=31", "timezone": "UTC"}).json()
    assert [value[:10] for value in _walk(api, task["id"], 3)] == ["2026-03-31", "2026-05-31", "2026-07-31"]


def test_nth_weekday_and_weekly_days(make_account):
    api = make_account().client
    second_tuesday = api.post("/api/tasks", json={
        "title": "Board", "due_date": "2026-01-13T18:00:00Z", "recurrence": "FREQ=MONTHLY;BYDAY=2TU",
        "timezone": "UTC"}).json()
    assert [value[:10] for value in _walk(api, second_tuesday["id"], 2)] == ["2026-02-10", "2026-03-10"]
    mon_wed = api.post("/api/tasks", json={"title": "Gym", "due_date": "2026-01-05T07:00:00Z",
                                           "recurrence": "FREQ=WEEKLY;BYDAY=MO,WE", "timezone": "UTC"}).json()
    assert [value[:10] for value in _walk(api, mon_wed["id"], 3)] == ["2026-01-07", "2026-01-12", "2026-01-14"]


def test_completing_leaves_one_open_task_and_keeps_history(make_account, api_database):
    import psycopg

    api = make_account().client
    task = api.post("/api/tasks", json={"title": "Water plants", "due_date": "2026-01-01T08:00:00Z",
                                        "recurrence": "FREQ=DAILY;COUNT=3", "timezone": "UTC"}).json()
    _walk(api, task["id"], 1)
    _walk(api, task["id"], 1, action="skip")
    last = api.patch(f"/api/tasks/{task['id']}", json={"completed": True}).json()
    # COUNT=3 reached: the series is over and the task is complete.
    assert last["completed"] is True
    assert len(api.get("/api/tasks").json()["items"]) == 1
    with psycopg.connect(api_database) as conn:
        history = conn.execute("SELECT outcome, due_date FROM task_occurrences WHERE task_id = %s ORDER BY due_date",
                               (task["id"],)).fetchall()
    assert [(outcome, due.day) for outcome, due in history] == [("completed", 1), ("skipped", 2), ("completed", 3)]


def test_postponing_one_occurrence_keeps_the_schedule(make_account):
    api = make_account().client
    task = api.post("/api/tasks", json={"title": "Report", "due_date": "2026-01-05T09:00:00Z",
                                        "recurrence": "FREQ=WEEKLY", "timezone": "UTC"}).json()
    postponed = api.patch(f"/api/tasks/{task['id']}", json={"due_date": "2026-01-07T09:00:00Z"}).json()
    assert postponed["due_date"].startswith("2026-01-07")
    # The next occurrence follows the rule, not the postponed date.
    assert _walk(api, task["id"], 1)[0].startswith("2026-01-12")


@pytest.mark.parametrize(
    ("body", "reason"),
    [({"recurrence": "FREQ=HOURLY"}, "FREQ"), ({"recurrence": "FREQ=DAILY;BYDAY=XX"}, "BYDAY"),
     ({"recurrence": "FREQ=DAILY;COUNT=5;UNTIL=20270101T000000Z"}, "COUNT or UNTIL"),
     ({"recurrence": "nonsense"}, "KEY=VALUE"), ({"recurrence": "FREQ=DAILY", "timezone": "Mars/Olympus"}, "timezone"),
     ({"recurrence": "FREQ=DAILY", "due_date": None}, "due date")],
)
def test_invalid_recurrence_is_422_with_the_reason(make_account, body, reason):
    payload = {"title": "x", "due_date": "2026-01-01T09:00:00Z", **body}
    response = make_account().client.post("/api/tasks", json=payload)
    assert response.status_code == 422
    assert reason in response.json()["detail"]


def test_only_recurring_tasks_skip(make_account):
    api = make_account().client
    task = api.post("/api/tasks", json={"title": "once"}).json()
    assert api.post(f"/api/tasks/{task['id']}/skip").status_code == 409
