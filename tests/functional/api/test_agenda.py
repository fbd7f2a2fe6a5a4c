"""The agenda: today (overdue first), the next 14 days and the inbox across every workspace the
caller belongs to, cut into days of the caller's time zone, and the navigation's counts."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest


def _at(zone: str, days: int, hour: int, minute: int = 0) -> str:
    """A wall-clock time `days` after today in `zone`, as an ISO instant."""
    tz = ZoneInfo(zone)
    day = datetime.now(tz).date() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tz).isoformat()


def _agenda(account, view: str, **params):
    response = account.client.get("/api/agenda", params={"view": view, **params})
    assert response.status_code == 200, response.text
    return response.json()


def _titles(account, view: str, **params) -> list[str]:
    return [task["title"] for task in _agenda(account, view, **params)["items"]]


def _task(account, title: str, **fields):
    response = account.client.post("/api/tasks", json={"title": title, **fields})
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def kiritimati(make_account):
    """An account in UTC+14, where the day is rarely the UTC one."""
    account = make_account()
    assert account.client.patch("/api/auth/me", json={"timezone": "Pacific/Kiritimati"}).status_code == 200
    return account


def test_today_lists_overdue_first_then_today_by_due_time(kiritimati):
    zone = "Pacific/Kiritimati"
    _task(kiritimati, "today late", due_date=_at(zone, 0, 23, 59))
    _task(kiritimati, "today early", due_date=_at(zone, 0, 0, 0))
    _task(kiritimati, "last week", due_date=_at(zone, -7, 9))
    _task(kiritimati, "tomorrow", due_date=_at(zone, 1, 0, 0))
    _task(kiritimati, "no date")

    agenda = _agenda(kiritimati, "today")
    assert [task["title"] for task in agenda["items"]] == ["last week", "today early", "today late"]
    assert agenda["timezone"] == zone
    assert agenda["today"] == datetime.now(ZoneInfo(zone)).date().isoformat()
    assert agenda["truncated"] is False
    assert agenda["items"][0]["workspace_personal"] is True


def test_upcoming_is_today_and_the_13_days_after_in_the_callers_zone(kiritimati):
    zone = "Pacific/Kiritimati"
    _task(kiritimati, "yesterday", due_date=_at(zone, -1, 23, 59))
    _task(kiritimati, "day 13", due_date=_at(zone, 13, 23, 59))
    _task(kiritimati, "day 14", due_date=_at(zone, 14, 0, 0))
    _task(kiritimati, "today", due_date=_at(zone, 0, 0, 0))
    assert _titles(kiritimati, "upcoming") == ["today", "day 13"]


def test_inbox_is_the_personal_workspaces_tasks_without_a_due_date(make_account):
    account = make_account()
    team = account.client.post("/api/workspaces", json={"name": "Team"}).json()
    _task(account, "first")
    _task(account, "dated", due_date=_at("UTC", 2, 9))
    _task(account, "team, undated", workspace_id=team["id"])
    _task(account, "second")
    assert _titles(account, "inbox") == ["second", "first"]


def test_completed_tasks_are_hidden_unless_asked_for(make_account):
    account = make_account()
    done = _task(account, "done today", due_date=_at("UTC", 0, 23, 59))
    assert account.client.patch(f"/api/tasks/{done['id']}", json={"completed": True}).status_code == 200
    old = _task(account, "done long ago", due_date=_at("UTC", -3, 9))
    assert account.client.patch(f"/api/tasks/{old['id']}", json={"completed": True}).status_code == 200
    _task(account, "open", due_date=_at("UTC", 0, 23, 59))

    assert _titles(account, "today") == ["open"]
    # A task completed after it was overdue is no longer today's business.
    assert sorted(_titles(account, "today", completed="true")) == ["done today", "open"]
    assert sorted(_titles(account, "upcoming", completed="true")) == ["done today", "open"]


def test_every_workspace_of_the_caller_and_no_one_elses(make_account):
    owner, member, stranger = make_account(), make_account(), make_account()
    shared = owner.client.post("/api/workspaces", json={"name": "Studio"}).json()
    token = owner.client.post(
        f"/api/workspaces/{shared['id']}/invitations", json={"email": member.email, "role": "viewer"}
    ).json()["token"]
    assert member.client.post(f"/api/invitations/{token}/accept").status_code == 200
    _task(owner, "shared job", due_date=_at("UTC", 0, 23, 59), workspace_id=shared["id"])
    _task(owner, "owner's own", due_date=_at("UTC", 0, 23, 59))
    _task(member, "member's own", due_date=_at("UTC", 0, 23, 59))
    _task(stranger, "stranger's", due_date=_at("UTC", 0, 23, 59))
    _task(stranger, "stranger's inbox")

    listed = _agenda(member, "today")["items"]
    assert sorted(task["title"] for task in listed) == ["member's own", "shared job"]
    shared_task = next(task for task in listed if task["title"] == "shared job")
    assert (shared_task["workspace_name"], shared_task["workspace_personal"]) == ("Studio", False)
    assert _titles(member, "inbox") == []
    assert member.client.get("/api/agenda/counts").json()["today"] == 2

    # Once they leave, the workspace's tasks leave their agenda.
    assert member.client.delete(f"/api/workspaces/{shared['id']}/members/{member.id}").status_code == 204
    assert _titles(member, "today") == ["member's own"]


def test_counts_follow_the_views_and_changes(kiritimati):
    zone = "Pacific/Kiritimati"
    _task(kiritimati, "overdue", due_date=_at(zone, -2, 9))
    _task(kiritimati, "today", due_date=_at(zone, 0, 23, 59))
    later = _task(kiritimati, "next week", due_date=_at(zone, 7, 9))
    _task(kiritimati, "far", due_date=_at(zone, 30, 9))
    _task(kiritimati, "inbox")

    counts = kiritimati.client.get("/api/agenda/counts")
    assert counts.status_code == 200
    assert counts.json() == {"timezone": zone, "today": 2, "overdue": 1, "upcoming": 2, "inbox": 1}
    assert kiritimati.client.patch(f"/api/tasks/{later['id']}", json={"completed": True}).status_code == 200
    assert kiritimati.client.get("/api/agenda/counts").json()["upcoming"] == 1


def test_a_list_is_bounded_and_says_so(make_account):
    account = make_account()
    for index in range(3):
        _task(account, f"t{index}", due_date=_at("UTC", 0, 23, 50 + index))
    agenda = _agenda(account, "today", limit=2)
    assert [task["title"] for task in agenda["items"]] == ["t0", "t1"]
    assert agenda["truncated"] is True


def test_revalidation_answers_304_until_something_changes(make_account):
    account = make_account()
    _task(account, "one", due_date=_at("UTC", 0, 23, 59))
    first = account.client.get("/api/agenda", params={"view": "today"})
    etag = first.header("ETag")
    again = account.client.get("/api/agenda", params={"view": "today"}, headers={"If-None-Match": etag})
    assert again.status_code == 304
    _task(account, "two", due_date=_at("UTC", 0, 23, 59))
    changed = account.client.get("/api/agenda", params={"view": "today"}, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert len(changed.json()["items"]) == 2


def test_anonymous_callers_are_refused(client):
    for path in ("/api/agenda?view=today", "/api/agenda/counts"):
        response = client.get(path)
        assert response.status_code == 401
        assert response.header("Content-Type") == "application/problem+json"


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"view": "yesterday"},
        {"view": "today", "limit": "0"},
        {"view": "today", "limit": "501"},
        {"view": "today", "limit": "many"},
        {"view": "today", "completed": "perhaps"},
    ],
)
def test_bad_parameters_are_422_problems(make_account, params):
    response = make_account().client.get("/api/agenda", params=params)
    assert response.status_code == 422, response.text
    assert response.header("Content-Type") == "application/problem+json"
