"""The reminders API: absolute and relative reminders, recomputed with the task."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def test_relative_reminders_follow_the_due_date_and_each_occurrence(make_account):
    api = make_account().client
    due = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    task = api.post(
        "/api/tasks", json={"title": "Call", "due_date": _iso(due), "recurrence": "FREQ=DAILY", "timezone": "UTC"}
    ).json()
    created = api.post(f"/api/tasks/{task['id']}/reminders", json={"before_due": "PT30M"})
    assert created.status_code == 201, created.text
    assert created.json()["scheduled_at"].startswith(_iso(due - timedelta(minutes=30))[:16])

    api.patch(f"/api/tasks/{task['id']}", json={"due_date": _iso(due + timedelta(hours=3))})
    [reminder] = api.get(f"/api/tasks/{task['id']}/reminders").json()["items"]
    assert reminder["scheduled_at"].startswith(_iso(due + timedelta(hours=2, minutes=30))[:16])

    api.patch(f"/api/tasks/{task['id']}", json={"completed": True})  # next occurrence, a day later
    [reminder] = api.get(f"/api/tasks/{task['id']}/reminders").json()["items"]
    assert reminder["scheduled_at"].startswith(_iso(due + timedelta(days=1, minutes=-30))[:16])
    assert reminder["status"] == "pending"


def test_absolute_reminders_and_deletion(make_account):
    api = make_account().client
    task = api.post("/api/tasks", json={"title": "t"}).json()
    at = datetime.now(UTC) + timedelta(hours=5)
    reminder = api.post(f"/api/tasks/{task['id']}/reminders", json={"at": _iso(at)}).json()
    assert reminder["before_due"] is None
    assert api.delete(f"/api/tasks/{task['id']}/reminders/{reminder['id']}").status_code == 204
    assert api.get(f"/api/tasks/{task['id']}/reminders").json()["items"] == []
    assert api.delete(f"/api/tasks/{task['id']}/reminders/{reminder['id']}").status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"at": "2020-01-01T00:00:00Z"},
        {"at": "2099-01-01T00:00:00Z"},
        {"before_due": "PT0M"},
        {"before_due": "P40D"},
        {"before_due": "half an hour"},
        {"at": "2030-01-01T00:00:00Z", "before_due": "PT1H"},
        {"before_due": "PT30M"},
    ],
    ids=["empty", "past", "after-horizon", "zero", "too-long", "not-a-duration", "both", "no-due-date"],
)
def test_invalid_reminders_are_422(make_account, body):
    api = make_account().client
    task = api.post("/api/tasks", json={"title": "no due date"}).json()
    response = api.post(f"/api/tasks/{task['id']}/reminders", json=body)
    assert response.status_code == 422, response.text


def test_reminders_follow_task_access(make_account):
    owner, stranger = make_account(), make_account()
    task = owner.client.post("/api/tasks", json={"title": "t"}).json()
    at = _iso(datetime.now(UTC) + timedelta(hours=1))
    assert stranger.client.post(f"/api/tasks/{task['id']}/reminders", json={"at": at}).status_code == 404
    assert stranger.client.get(f"/api/tasks/{task['id']}/reminders").status_code == 404


@pytest.mark.parametrize("at", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "0001-01-01T00:00:00Z"])
def test_a_reminder_time_outside_the_range_of_instants_is_422_not_5xx(make_account, at):
    api = make_account().client
    task = api.post("/api/tasks", json={"title": "t"}).json()
    response = api.post(f"/api/tasks/{task['id']}/reminders", json={"at": at})
    assert response.status_code == 422, response.text
    assert response.header("Content-Type") == "application/problem+json"
    assert api.get(f"/api/tasks/{task['id']}/reminders").json()["items"] == []
