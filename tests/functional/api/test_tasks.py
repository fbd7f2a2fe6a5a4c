"""The tasks API: CRUD, server-owned fields, ETags, filters, keyset pages, batches, stats."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def test_create_read_update_delete(make_account):
    api = make_account().client
    created = api.post("/api/tasks", json={"title": "Buy milk", "priority": 1})
    assert created.status_code == 201, created.text
    task = created.json()
    assert created.header("Location") == f"/api/tasks/{task['id']}"
    assert task["completed"] is False
    assert task["completed_at"] is None
    assert task["description"] == ""

    fetched = api.get(f"/api/tasks/{task['id']}")
    assert fetched.json() == task
    etag = fetched.header("ETag")

    patched = api.patch(f"/api/tasks/{task['id']}", json={"completed": True}, headers={"If-Match": etag})
    assert patched.status_code == 200, patched.text
    assert patched.json()["completed_at"] is not None
    assert patched.header("ETag") != etag

    assert api.delete(f"/api/tasks/{task['id']}", headers={"If-Match": patched.header("ETag")}).status_code == 204
    assert api.get(f"/api/tasks/{task['id']}").status_code == 404


def test_completed_at_is_set_and_cleared_by_the_server(make_account):
    api = make_account().client
    task = api.post("/api/tasks", json={"title": "t", "completed": True}).json()
    assert task["completed_at"] is not None
    reopened = api.patch(f"/api/tasks/{task['id']}", json={"completed": False}).json()
    assert reopened["completed_at"] is None
    renamed = api.patch(f"/api/tasks/{task['id']}", json={"title": "renamed"}).json()
    assert renamed["completed_at"] is None
    assert renamed["updated_at"] > task["updated_at"]


@pytest.mark.parametrize(
    "body",
    [
        {"title": ""},
        {"title": "   "},
        {"title": "x" * 201},
        {"title": "ok", "description": "x" * 10_001},
        {"title": "ok", "priority": 0},
        {"title": "ok", "priority": 4},
        {"title": "ok", "due_date": "2026-01-01T10:00:00"},
        {"title": "ok", "id": str(uuid.uuid4())},
        {"title": "ok", "owner": str(uuid.uuid4())},
        {"title": "ok", "created_at": "2020-01-01T00:00:00Z"},
        {"title": "ok", "completed_at": "2020-01-01T00:00:00Z"},
    ],
    ids=[
        "empty",
        "blank",
        "long-title",
        "long-description",
        "priority-0",
        "priority-4",
        "naive-due-date",
        "client-id",
        "client-owner",
        "client-created-at",
        "client-completed-at",
    ],
)
def test_invalid_or_server_owned_fields_are_422(make_account, body):
    response = make_account().client.post("/api/tasks", json=body)
    assert response.status_code == 422
    assert response.header("Content-Type") == "application/problem+json"


@pytest.mark.parametrize("body", [{}, {"title": None}, {"completed": None}, {"version": 3}])
def test_invalid_patches_are_422(make_account, body):
    api = make_account().client
    task = api.post("/api/tasks", json={"title": "t"}).json()
    assert api.patch(f"/api/tasks/{task['id']}", json=body).status_code == 422


def test_a_stale_if_match_is_412_and_changes_nothing(make_account):
    api = make_account().client
    task = api.post("/api/tasks", json={"title": "original"})
    stale = task.header("ETag")
    task_id = task.json()["id"]
    api.patch(f"/api/tasks/{task_id}", json={"title": "first writer"})

    lost_update = api.patch(f"/api/tasks/{task_id}", json={"title": "second writer"}, headers={"If-Match": stale})
    assert lost_update.status_code == 412
    assert api.delete(f"/api/tasks/{task_id}", headers={"If-Match": stale}).status_code == 412
    assert api.get(f"/api/tasks/{task_id}").json()["title"] == "first writer"


def test_another_users_task_is_404_for_every_method(make_account):
    owner, intruder = make_account(), make_account()
    task_id = owner.client.post("/api/tasks", json={"title": "private"}).json()["id"]

    assert intruder.client.get(f"/api/tasks/{task_id}").status_code == 404
    assert intruder.client.patch(f"/api/tasks/{task_id}", json={"title": "mine now"}).status_code == 404
    assert intruder.client.delete(f"/api/tasks/{task_id}").status_code == 404
    assert intruder.client.get("/api/tasks").json()["items"] == []
    assert intruder.client.get("/api/stats").json()["total"] == 0
    assert owner.client.get(f"/api/tasks/{task_id}").json()["title"] == "private"


@pytest.mark.parametrize("task_id", ["not-a-uuid", "1", "%00"])
def test_malformed_ids_are_404(make_account, task_id):
    assert make_account().client.get(f"/api/tasks/{task_id}").status_code == 404


@pytest.mark.parametrize("path", ["/api/tasks", "/api/tasks/6f1c2a9e-0000-4000-8000-000000000001", "/api/stats"])
def test_every_task_endpoint_needs_a_token(client, path):
    assert client.get(path).status_code == 401


def test_filters_and_search(make_account):
    api = make_account().client
    now = datetime.now(UTC)
    api.post(
        "/api/tasks", json={"title": "Groceries for the week", "priority": 1, "due_date": _iso(now + timedelta(days=1))}
    )
    api.post(
        "/api/tasks",
        json={
            "title": "Tax return",
            "description": "groceries receipts",
            "priority": 3,
            "due_date": _iso(now + timedelta(days=10)),
        },
    )
    api.post("/api/tasks", json={"title": "Call mum", "completed": True})

    def titles(**params):
        response = api.get("/api/tasks", params=params)
        assert response.status_code == 200, response.text
        return sorted(item["title"] for item in response.json()["items"])

    assert titles(completed="true") == ["Call mum"]
    assert titles(priority=3) == ["Tax return"]
    assert titles(q="groc") == ["Groceries for the week", "Tax return"]
    assert titles(q="groceries week") == ["Groceries for the week"]
    assert titles(due_before=_iso(now + timedelta(days=5))) == ["Groceries for the week"]
    assert titles(due_after=_iso(now + timedelta(days=5))) == ["Tax return"]


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 101},
        {"priority": 9},
        {"sort": "title"},
        {"order": "up"},
        {"completed": "maybe"},
        {"due_before": "tomorrow"},
    ],
)
def test_invalid_list_parameters_are_422(make_account, params):
    assert make_account().client.get("/api/tasks", params=params).status_code == 422


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("created_at", "desc"),
        ("created_at", "asc"),
        ("due_date", "asc"),
        ("due_date", "desc"),
        ("priority", "asc"),
        ("priority", "desc"),
    ],
)
def test_pages_cover_every_task_once_in_order(make_account, sort, order):
    api = make_account().client
    now = datetime.now(UTC)
    bodies = [
        {
            "title": f"task {i}",
            "priority": 1 + i % 3,
            **({"due_date": _iso(now + timedelta(hours=i % 5))} if i % 4 else {}),
        }
        for i in range(23)
    ]
    assert api.post("/api/tasks/batch", json={"tasks": bodies}).status_code == 201

    seen, cursor = [], None
    while True:
        params = {"sort": sort, "order": order, "limit": 5, **({"cursor": cursor} if cursor else {})}
        page = api.get("/api/tasks", params=params)
        assert page.status_code == 200, page.text
        seen += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 23
    assert len({item["id"] for item in seen}) == 23
    far_future = "9999-12-31T00:00:00Z"
    keys = [(item[sort] if item[sort] is not None else far_future) for item in seen]
    assert keys == sorted(keys, reverse=order == "desc")


def test_a_cursor_from_another_query_or_tampered_is_400(make_account):
    api = make_account().client
    api.post("/api/tasks/batch", json={"tasks": [{"title": f"t{i}"} for i in range(3)]})
    cursor = api.get("/api/tasks", params={"limit": 1}).json()["next_cursor"]
    assert api.get("/api/tasks", params={"limit": 1, "cursor": cursor, "priority": 2}).status_code == 400
    assert api.get("/api/tasks", params={"limit": 1, "cursor": "garbage!"}).status_code == 400
    assert api.get("/api/tasks", params={"limit": 1, "cursor": cursor[:-4] + "AAAA"}).status_code == 400


def test_a_batch_is_all_or_nothing(make_account):
    api = make_account().client
    bad = api.post("/api/tasks/batch", json={"tasks": [{"title": "fine"}, {"title": ""}]})
    assert bad.status_code == 422
    assert api.get("/api/tasks").json()["items"] == []
    assert api.post("/api/tasks/batch", json={"tasks": []}).status_code == 422
    assert api.post("/api/tasks/batch", json={"tasks": [{"title": "x"}] * 101}).status_code == 422
    good = api.post("/api/tasks/batch", json={"tasks": [{"title": "a"}, {"title": "b"}]})
    assert good.status_code == 201
    assert [item["title"] for item in good.json()["items"]] == ["a", "b"]


def test_stats(make_account):
    api = make_account().client
    past = _iso(datetime.now(UTC) - timedelta(days=1))
    api.post(
        "/api/tasks/batch",
        json={
            "tasks": [
                {"title": "done", "completed": True, "priority": 1},
                {"title": "late", "due_date": past, "priority": 1},
                {"title": "late but done", "due_date": past, "completed": True, "priority": 2},
                {"title": "open", "priority": 3},
            ]
        },
    )
    assert api.get("/api/stats").json() == {
        "total": 4,
        "completed": 2,
        "overdue": 1,
        "by_priority": {"1": 2, "2": 1, "3": 1},
        "completion_rate": 0.5,
    }


def test_writes_invalidate_cached_lists_and_stats(make_account):
    api = make_account().client
    assert api.get("/api/tasks").json()["items"] == []
    assert api.get("/api/stats").json()["total"] == 0
    task = api.post("/api/tasks", json={"title": "new"}).json()
    assert [item["id"] for item in api.get("/api/tasks").json()["items"]] == [task["id"]]
    assert api.get("/api/stats").json()["total"] == 1
    api.delete(f"/api/tasks/{task['id']}")
    assert api.get("/api/tasks").json()["items"] == []


OUT_OF_RANGE = [
    "0001-01-01T00:00:00Z",
    "1969-12-31T23:59:59Z",
    "1970-01-01T00:00:00+00:01",
    "9001-01-01T00:00:00Z",
    "9000-12-31T23:59:59-00:01",
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59.999999Z",
]


@pytest.mark.parametrize("due", OUT_OF_RANGE)
def test_a_due_date_outside_1970_to_9000_is_422(make_account, due):
    api = make_account().client
    created = api.post("/api/tasks", json={"title": "t", "due_date": due})
    assert created.status_code == 422, created.text
    assert created.header("Content-Type") == "application/problem+json"
    assert "1970-01-01T00:00:00Z and 9000-12-31T23:59:59Z" in created.text
    batch = api.post("/api/tasks/batch", json={"tasks": [{"title": "fine"}, {"title": "t", "due_date": due}]})
    assert batch.status_code == 422
    assert api.get("/api/tasks").json()["items"] == []


def test_patching_the_due_date_to_year_one_is_422_and_changes_nothing(make_account):
    api = make_account().client
    task = api.post("/api/tasks", json={"title": "t", "due_date": "2031-01-01T00:00:00Z"}).json()
    api.post(f"/api/tasks/{task['id']}/reminders", json={"before_due": "P1D"})

    patched = api.patch(f"/api/tasks/{task['id']}", json={"due_date": "0001-01-01T00:00:00Z"})

    assert patched.status_code == 422, patched.text
    assert patched.header("Content-Type") == "application/problem+json"
    assert api.get(f"/api/tasks/{task['id']}").json()["due_date"].startswith("2031-01-01")
    reminders = api.get(f"/api/tasks/{task['id']}/reminders")
    assert reminders.status_code == 200
    assert reminders.json()["items"][0]["scheduled_at"].startswith("2030-12-31")


@pytest.mark.parametrize(
    "due", ["1970-01-01T00:00:00Z", "1970-01-01T00:00:00-01:00", "9000-12-31T23:59:59Z", "9001-01-01T09:59:59+10:00"]
)
def test_the_edges_of_the_range_are_accepted(make_account, due):
    api = make_account().client
    created = api.post("/api/tasks", json={"title": "t", "due_date": due})
    assert created.status_code == 201, created.text
    assert api.get(f"/api/tasks/{created.json()['id']}").status_code == 200


@pytest.mark.parametrize("param", ["due_before", "due_after"])
@pytest.mark.parametrize("value", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"])
def test_a_list_filter_outside_the_range_is_422(make_account, param, value):
    response = make_account().client.get("/api/tasks", params={param: value})
    assert response.status_code == 422, response.text
    assert response.header("Content-Type") == "application/problem+json"


def test_a_task_due_on_the_first_day_of_1970_keeps_its_relative_reminder_in_range(make_account):
    api = make_account().client
    task = api.post("/api/tasks", json={"title": "t", "due_date": "2031-01-01T00:00:00Z"}).json()
    assert api.post(f"/api/tasks/{task['id']}/reminders", json={"before_due": "P30D"}).status_code == 201

    patched = api.patch(f"/api/tasks/{task['id']}", json={"due_date": "1970-01-01T00:00:00Z"})

    assert patched.status_code == 200, patched.text
    reminders = api.get(f"/api/tasks/{task['id']}/reminders")
    assert reminders.status_code == 200, reminders.text
    # 30 days before the due date would be 1969: the reminder waits at the start of the range
    # instead, long past, so the dispatcher records it as missed.
    assert reminders.json()["items"][0]["scheduled_at"].startswith("1970-01-01T00:00:00")


@pytest.mark.parametrize("workspace_id", ["\x00", "a\x00b", "not-a-uuid", "1" * 300])
def test_a_workspace_id_that_is_no_uuid_names_no_workspace(make_account, workspace_id):
    api = make_account().client
    for path in ("/api/tasks", "/api/tags", "/api/stats"):
        response = api.get(path, params={"workspace_id": workspace_id})
        assert response.status_code == 404, (path, response.text)
        assert response.header("content-type").startswith("application/problem+json")
