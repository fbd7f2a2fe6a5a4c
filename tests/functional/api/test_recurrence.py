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
    [
        ("America/New_York", "2026-03-06T09:00:00"),
        ("Europe/Berlin", "2026-03-27T09:00:00"),
        ("Australia/Sydney", "2026-04-03T09:00:00"),
    ],
)
def test_a_daily_nine_oclock_task_stays_at_nine_across_dst(make_account, zone, first):
    api = make_account().client
    due = datetime.fromisoformat(first).replace(tzinfo=ZoneInfo(zone)).isoformat()
    task = api.post(
        "/api/tasks", json={"title": "Stand-up", "due_date": due, "recurrence": "FREQ=DAILY", "timezone": zone}
    ).json()
    seen = _walk(api, task["id"], 5)
    assert [_wall_clock(value, zone)[-5:] for value in seen] == ["09:00"] * 5
    # The UTC offset did change on the way: the instants are not 24 hours apart everywhere.
    offsets = {datetime.fromisoformat(value).astimezone(ZoneInfo(zone)).utcoffset() for value in seen}
    assert len(offsets) == 2


def test_monthly_on_the_31st_skips_shorter_months(make_account):
    api = make_account().client
    task = api.post(
        "/api/tasks",
        json={
            "title": "Invoice",
            "due_date": "2026-01-31T10:00:00Z",
            "recurrence": "FREQ=MONTHLY;BYMONTHDAY=31",
            "timezone": "UTC",
        },
    ).json()
    assert [value[:10] for value in _walk(api, task["id"], 3)] == ["2026-03-31", "2026-05-31", "2026-07-31"]


def test_nth_weekday_and_weekly_days(make_account):
    api = make_account().client
    second_tuesday = api.post(
        "/api/tasks",
        json={
            "title": "Board",
            "due_date": "2026-01-13T18:00:00Z",
            "recurrence": "FREQ=MONTHLY;BYDAY=2TU",
            "timezone": "UTC",
        },
    ).json()
    assert [value[:10] for value in _walk(api, second_tuesday["id"], 2)] == ["2026-02-10", "2026-03-10"]
    mon_wed = api.post(
        "/api/tasks",
        json={
            "title": "Gym",
            "due_date": "2026-01-05T07:00:00Z",
            "recurrence": "FREQ=WEEKLY;BYDAY=MO,WE",
            "timezone": "UTC",
        },
    ).json()
    assert [value[:10] for value in _walk(api, mon_wed["id"], 3)] == ["2026-01-07", "2026-01-12", "2026-01-14"]


def test_completing_leaves_one_open_task_and_keeps_history(make_account, api_database):
    import psycopg

    api = make_account().client
    task = api.post(
        "/api/tasks",
        json={
            "title": "Water plants",
            "due_date": "2026-01-01T08:00:00Z",
            "recurrence": "FREQ=DAILY;COUNT=3",
            "timezone": "UTC",
        },
    ).json()
    _walk(api, task["id"], 1)
    _walk(api, task["id"], 1, action="skip")
    last = api.patch(f"/api/tasks/{task['id']}", json={"completed": True}).json()
    # COUNT=3 reached: the series is over and the task is complete.
    assert last["completed"] is True
    assert len(api.get("/api/tasks").json()["items"]) == 1
    with psycopg.connect(api_database) as conn:
        history = conn.execute(
            "SELECT outcome, due_date FROM task_occurrences WHERE task_id = %s ORDER BY due_date", (task["id"],)
        ).fetchall()
    assert [(outcome, due.day) for outcome, due in history] == [("completed", 1), ("skipped", 2), ("completed", 3)]


def test_postponing_one_occurrence_keeps_the_schedule(make_account):
    api = make_account().client
    task = api.post(
        "/api/tasks",
        json={"title": "Report", "due_date": "2026-01-05T09:00:00Z", "recurrence": "FREQ=WEEKLY", "timezone": "UTC"},
    ).json()
    postponed = api.patch(f"/api/tasks/{task['id']}", json={"due_date": "2026-01-07T09:00:00Z"}).json()
    assert postponed["due_date"].startswith("2026-01-07")
    # The next occurrence follows the rule, not the postponed date.
    assert _walk(api, task["id"], 1)[0].startswith("2026-01-12")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"recurrence": "FREQ=HOURLY"}, "FREQ"),
        ({"recurrence": "FREQ=DAILY;BYDAY=XX"}, "BYDAY"),
        ({"recurrence": "FREQ=DAILY;COUNT=5;UNTIL=20270101T000000Z"}, "COUNT or UNTIL"),
        ({"recurrence": "nonsense"}, "KEY=VALUE"),
        ({"recurrence": "FREQ=DAILY", "timezone": "Mars/Olympus"}, "timezone"),
        ({"recurrence": "FREQ=DAILY", "due_date": None}, "due date"),
    ],
)
def test_invalid_recurrence_is_422_with_the_reason(make_account, body, reason):
    payload = {"title": "x", "due_date": "2026-01-01T09:00:00Z", **body}
    response = make_account().client.post("/api/tasks", json=payload)
    assert response.status_code == 422
    problem = response.json()
    # The reason is the detail, or the field the request's validation names.
    assert reason in problem["detail"] or any(reason in e["loc"] for e in problem.get("errors", []))


def test_only_recurring_tasks_skip(make_account):
    api = make_account().client
    task = api.post("/api/tasks", json={"title": "once"}).json()
    assert api.post(f"/api/tasks/{task['id']}/skip").status_code == 409


@pytest.mark.parametrize(
    ("rule", "reason"),
    [
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "never occurs"),
        ("FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=31", "never occurs"),
        ("FREQ=DAILY;UNTIL=garbageZ", "UNTIL"),
        ("FREQ=DAILY;UNTIL=2026\u000001T000000Z", "NUL"),
        ("FREQ=DAILY;UNTIL=99991231T235959Z", "UNTIL"),
        ("FREQ=MONTHLY;BYSETPOS=0;BYDAY=MO", "BYSETPOS"),
        ("FREQ=MONTHLY;BYMONTHDAY=99999999999999999999", "BYMONTHDAY"),
        ("FREQ=DAILY;INTERVAL=²", "INTERVAL"),
    ],
)
def test_a_rule_that_never_occurs_or_does_not_parse_is_refused_when_saved(make_account, rule, reason):
    api = make_account().client
    created = api.post(
        "/api/tasks", json={"title": "x", "due_date": "2026-01-31T09:00:00Z", "recurrence": rule, "timezone": "UTC"}
    )
    assert created.status_code == 422, created.text
    assert created.header("Content-Type") == "application/problem+json"
    assert reason in created.text
    task = api.post("/api/tasks", json={"title": "x", "due_date": "2026-01-31T09:00:00Z"}).json()
    patched = api.patch(f"/api/tasks/{task['id']}", json={"recurrence": rule})
    assert patched.status_code == 422
    assert api.get(f"/api/tasks/{task['id']}").json()["recurrence"] is None


@pytest.mark.parametrize(
    ("rule", "following"),
    [("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "2028-02-29"), ("FREQ=MONTHLY;BYMONTHDAY=31", "2026-03-31")],
)
def test_a_sparse_rule_that_does_occur_is_kept(make_account, rule, following):
    api = make_account().client
    task = api.post(
        "/api/tasks", json={"title": "x", "due_date": "2026-01-31T09:00:00Z", "recurrence": rule, "timezone": "UTC"}
    )
    assert task.status_code == 201, task.text
    assert _walk(api, task.json()["id"], 1)[0][:10] == following


def _store_rule(database_url: str, task_id: str, rule: str) -> None:
    """A rule written before rules were checked: straight into the row, around the API."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("UPDATE tasks SET recurrence = %s WHERE id = %s", (rule, task_id))


@pytest.mark.parametrize("action", ["skip", "complete"])
def test_a_stored_rule_that_never_occurs_ends_the_series_instead_of_spinning(make_account, api_database, action):
    api = make_account().client
    task = api.post(
        "/api/tasks",
        json={"title": "Leap", "due_date": "2026-01-31T09:00:00Z", "recurrence": "FREQ=DAILY", "timezone": "UTC"},
    ).json()
    _store_rule(api_database, task["id"], "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30")

    if action == "skip":
        response = api.post(f"/api/tasks/{task['id']}/skip")
    else:
        response = api.patch(f"/api/tasks/{task['id']}", json={"completed": True})

    assert response.status_code == 200, response.text
    assert response.json()["completed"] is True  # no next occurrence: the series is over
    assert response.json()["due_date"].startswith("2026-01-31")


@pytest.mark.parametrize(
    "rule",
    ["FREQ=DAILY;UNTIL=garbageZ", "FREQ=DAILY;UNTIL=2026\x0001Z", "FREQ=DAILY;BYSETPOS=0", "FREQ=DAILY;INTERVAL=²"],
)
def test_a_stored_rule_that_does_not_parse_is_422_not_5xx(make_account, api_database, rule):
    api = make_account().client
    task = api.post(
        "/api/tasks",
        json={"title": "Broken", "due_date": "2026-01-31T09:00:00Z", "recurrence": "FREQ=DAILY", "timezone": "UTC"},
    ).json()
    if "\x00" in rule:
        rule = rule.replace("\x00", " ")  # PostgreSQL text holds no NUL; the nearest a row can carry
    _store_rule(api_database, task["id"], rule)

    skipped = api.post(f"/api/tasks/{task['id']}/skip")
    completed = api.patch(f"/api/tasks/{task['id']}", json={"completed": True})

    for response in (skipped, completed):
        assert response.status_code == 422, response.text
        assert "recurrence" in response.json()["detail"]
    assert api.get(f"/api/tasks/{task['id']}").json()["completed"] is False


@pytest.mark.parametrize("timezone", ["America", "localtime", "Mars/Olympus_Mons", "America/", "../etc"])
def test_a_zone_the_server_does_not_know_is_refused_where_it_is_read(make_account, timezone):
    api = make_account().client
    created = api.post(
        "/api/tasks",
        json={"title": "Standup", "due_date": "2026-01-05T09:00:00Z", "recurrence": "FREQ=DAILY", "timezone": timezone},
    )
    assert created.status_code == 422
    assert created.header("content-type").startswith("application/problem+json")
    task = api.post("/api/tasks", json={"title": "Plain"}).json()
    patched = api.patch(f"/api/tasks/{task['id']}", json={"timezone": timezone}, headers={"If-Match": '"1"'})
    assert patched.status_code == 422
    assert api.get(f"/api/tasks/{task['id']}").json()["timezone"] == task["timezone"]
