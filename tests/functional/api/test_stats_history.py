"""The completion chart's data: created and completed per day in the caller's time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg
import pytest


def _history(account, **params):
    response = account.client.get("/api/stats/history", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_today_counts_what_was_created_and_completed(make_account):
    account = make_account()
    for title in ("a", "b", "c"):
        task = account.client.post("/api/tasks", json={"title": title}).json()
        if title != "c":
            account.client.patch(f"/api/tasks/{task['id']}", json={"completed": True})

    history = _history(account, days=7)
    assert history["timezone"] == "UTC"
    assert len(history["days"]) == 7
    assert history["days"][-1] == {"day": datetime.now(UTC).date().isoformat(), "created": 3, "completed": 2}
    assert all(day["created"] == day["completed"] == 0 for day in history["days"][:-1])


def test_days_follow_the_callers_time_zone_and_older_days_are_counted(make_account, api_database):
    account = make_account()
    assert account.client.patch("/api/auth/me", json={"timezone": "Pacific/Kiritimati"}).status_code == 200
    task = account.client.post("/api/tasks", json={"title": "old"}).json()
    # Created three days ago and completed two days ago, both at 23:30 in Kiritimati (UTC+14),
    # which is still the day before in UTC.
    zone = ZoneInfo("Pacific/Kiritimati")
    today = datetime.now(zone).date()
    created = datetime.combine(today - timedelta(days=3), datetime.min.time(), zone).replace(hour=23, minute=30)
    completed = created + timedelta(days=1)
    with psycopg.connect(api_database, autocommit=True) as conn:
        conn.execute(
            "UPDATE tasks SET created_at = %s, completed = true, completed_at = %s WHERE id = %s",
            (created, completed, task["id"]),
        )

    days = {day["day"]: day for day in _history(account, days=5)["days"]}
    assert days[(today - timedelta(days=3)).isoformat()]["created"] == 1
    assert days[(today - timedelta(days=2)).isoformat()]["completed"] == 1
    assert sum(day["created"] + day["completed"] for day in days.values()) == 2


def test_a_completed_occurrence_of_a_recurring_task_counts(make_account):
    account = make_account()
    task = account.client.post(
        "/api/tasks",
        json={
            "title": "water plants",
            "due_date": "2030-01-01T09:00:00Z",
            "recurrence": "FREQ=DAILY",
            "timezone": "UTC",
        },
    ).json()
    assert account.client.patch(f"/api/tasks/{task['id']}", json={"completed": True}).status_code == 200
    assert _history(account, days=1)["days"] == [
        {"day": datetime.now(UTC).date().isoformat(), "created": 1, "completed": 1}
    ]


def test_a_workspace_history_is_for_its_members_only(make_account):
    owner, outsider = make_account(), make_account()
    workspace = owner.client.post("/api/workspaces", json={"name": "Shared"}).json()
    owner.client.post("/api/tasks", json={"title": "x", "workspace_id": workspace["id"]})
    assert _history(owner, workspace_id=workspace["id"], days=1)["days"][0]["created"] == 1
    assert _history(owner, days=1)["days"][0]["created"] == 0  # the personal workspace is another
    refused = outsider.client.get("/api/stats/history", params={"workspace_id": workspace["id"]})
    assert refused.status_code == 404


@pytest.mark.parametrize("days", ["0", "366", "-1", "many", "1.5"])
def test_an_out_of_range_window_is_422(make_account, days):
    response = make_account().client.get("/api/stats/history", params={"days": days})
    assert response.status_code == 422
    assert response.header("Content-Type") == "application/problem+json"


def test_the_default_window_is_thirty_days(make_account):
    assert len(_history(make_account())["days"]) == 30
