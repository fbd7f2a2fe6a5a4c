"""Export (JSON, CSV; streamed) and import (our JSON, Todoist CSV): round trips, spreadsheet
safety, all-or-nothing refusals with line numbers, and who may read or write what."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from functions.domain.transfer.models import MAX_IMPORT_TASKS

SAMPLE = Path(__file__).with_name("todoist_sample.csv")
COMPARED = ("title", "description", "completed", "priority", "due_date", "recurrence", "timezone", "tags", "checklist")


def _workspace(api, name="Imported"):
    response = api.post("/api/workspaces", json={"name": name})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _tag(api, workspace_id, name, color):
    response = api.post("/api/tags", json={"name": name, "color": color, "workspace_id": workspace_id})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _fill(api, workspace_id):
    """Tasks that use everything an export carries."""
    home, urgent = _tag(api, workspace_id, "home", "#00aa00"), _tag(api, workspace_id, "Urgent", "#ff0000")
    due = "2030-03-29T09:00:00+01:00"
    made = [
        {"title": "Plain"},
        {"title": "Due, described", "description": 'line one\nline "two", with commas', "due_date": due, "priority": 1},
        {"title": "Weekly", "due_date": due, "recurrence": "FREQ=WEEKLY;BYDAY=MO,FR", "timezone": "Europe/Berlin"},
        {"title": "Done already", "completed": True, "priority": 3},
        {"title": '=HYPERLINK("http://evil.example","click")', "description": "+1 from @me"},
    ]
    ids = []
    for body in made:
        response = api.post("/api/tasks", json={**body, "workspace_id": workspace_id})
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    api.put(f"/api/tasks/{ids[1]}/tags/{home}")
    api.put(f"/api/tasks/{ids[1]}/tags/{urgent}")
    api.put(f"/api/tasks/{ids[2]}/tags/{home}")
    for text in ("passport", "tickets"):
        assert api.post(f"/api/tasks/{ids[1]}/checklist", json={"text": text}).status_code == 201
    item = api.get(f"/api/tasks/{ids[1]}/checklist").json()["items"][0]
    assert api.patch(f"/api/tasks/{ids[1]}/checklist/{item['id']}", json={"done": True}).status_code == 200
    return ids


def _export(api, fmt="json", **params):
    response = api.get("/api/export", params={"format": fmt, **params})
    assert response.status_code == 200, response.text
    return response


def _comparable(document):
    def one(task):
        kept = {name: task[name] for name in COMPARED}
        if kept["due_date"]:
            kept["due_date"] = datetime.fromisoformat(kept["due_date"]).astimezone(UTC).isoformat()
        return kept

    return sorted((one(task) for task in document["tasks"]), key=lambda task: task["title"])


def _import(api, workspace_id, content, fmt="taskforge-json"):
    body = {"format": fmt, "content": content} | ({"workspace_id": workspace_id} if workspace_id else {})
    return api.post("/api/import", json=body)


def _titles(api, workspace_id):
    params = {"workspace_id": workspace_id} if workspace_id else {}
    return sorted(task["title"] for task in api.get("/api/tasks", params=params).json()["items"])


def test_a_json_export_imported_into_an_empty_workspace_is_the_same_workspace(make_account):
    api = make_account().client
    source = _workspace(api, "Source")
    _fill(api, source)
    exported = _export(api, workspace_id=source)
    assert exported.header("Content-Type") == "application/json; charset=utf-8"
    assert exported.header("Content-Disposition").startswith('attachment; filename="taskforge-')
    assert exported.header("Content-Length") is None  # streamed, not measured first
    original = exported.json()
    assert original["format"] == "taskforge"
    assert original["version"] == 1
    assert len(original["tasks"]) == 5

    target = _workspace(api, "Target")
    imported = _import(api, target, exported.text)
    assert imported.status_code == 201, imported.text
    assert imported.json() == {"created": 5, "skipped": 0, "errors": []}
    copy = _export(api, workspace_id=target).json()
    assert _comparable(copy) == _comparable(original)
    assert {task["workspace"] for task in copy["tasks"]} == {"Target"}
    # Its tags were created in the target, with their colours.
    tags = api.get("/api/tags", params={"workspace_id": target}).json()["items"]
    assert sorted((tag["name"], tag["color"]) for tag in tags) == [("Urgent", "#ff0000"), ("home", "#00aa00")]
    # And the import is listed as created tasks: the cache generation moved, the list shows them.
    assert len(_titles(api, target)) == 5


def test_importing_the_same_file_twice_creates_nothing_the_second_time(make_account):
    api = make_account().client
    source, target = _workspace(api, "Source"), _workspace(api, "Target")
    _fill(api, source)
    content = _export(api, workspace_id=source).text
    assert _import(api, target, content).json()["created"] == 5
    again = _import(api, target, content)
    assert again.status_code == 201
    assert again.json() == {"created": 0, "skipped": 5, "errors": []}
    assert len(_titles(api, target)) == 5


def test_the_export_of_everything_covers_every_workspace_the_caller_reads(make_account):
    alice, bob = make_account(), make_account()
    alice.client.post("/api/tasks", json={"title": "personal"})
    shared = _workspace(alice.client, "Shared")
    alice.client.post("/api/tasks", json={"title": "shared", "workspace_id": shared})
    bob.client.post("/api/tasks", json={"title": "bob's own"})
    titles = [task["title"] for task in _export(alice.client).json()["tasks"]]
    assert sorted(titles) == ["personal", "shared"]


def test_the_csv_export_opens_in_a_spreadsheet_and_runs_no_formula(make_account):
    api = make_account().client
    source = _workspace(api, "Sheet")
    _fill(api, source)
    response = _export(api, "csv", workspace_id=source)
    assert response.header("Content-Type") == "text/csv; charset=utf-8"
    assert response.header("Content-Disposition").endswith('.csv"')
    raw = response.content
    assert raw.startswith("\ufeff".encode())  # the BOM that makes Excel read UTF-8
    text = raw.decode("utf-8").removeprefix("\ufeff")
    assert text.endswith("\r\n")
    assert "\r\n" in text.split("\n", 1)[0] + "\n"
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert list(rows[0]) == [
        "workspace", "title", "description", "completed", "priority", "due_date", "timezone",
        "recurrence", "tags", "checklist", "created_at", "completed_at",
    ]  # fmt: skip
    by_title = {row["title"]: row for row in rows}
    injected = by_title['\'=HYPERLINK("http://evil.example","click")']
    assert injected["description"] == "'+1 from @me"
    described = by_title["Due, described"]
    assert described["description"] == 'line one\nline "two", with commas'  # quoted, quotes doubled
    assert described["tags"] == "home, Urgent"
    assert described["checklist"] == "[x] passport\n[ ] tickets"
    assert by_title["Weekly"]["recurrence"] == "FREQ=WEEKLY;BYDAY=MO,FR"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("=1+2", "'=1+2"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"),
     ("plain", "plain"), ("a=b", "a=b"), ("", "")],
)  # fmt: skip
def test_cells_a_spreadsheet_would_run_are_neutralised(cell, expected):
    from functions.domain.transfer.export import neutralised

    assert neutralised(cell) == expected


def test_a_todoist_export_becomes_tasks_with_tags_checklists_and_repeats(make_account):
    api = make_account().client
    target = _workspace(api, "From Todoist")
    response = _import(api, target, SAMPLE.read_text(encoding="utf-8"), "todoist-csv")
    assert response.status_code == 201, response.text
    assert response.json() == {"created": 4, "skipped": 0, "errors": []}
    tasks = {task["title"]: task for task in _export(api, workspace_id=target).json()["tasks"]}
    assert sorted(tasks) == ["Buy milk", "Call the bank", "Someday", "Weekly review"]

    milk = tasks["Buy milk"]
    assert milk["priority"] == 1  # Todoist's 4 is p1
    assert sorted(tag["name"] for tag in milk["tags"]) == ["errands", "home"]
    assert milk["checklist"] == [{"text": "Eggs", "done": False}, {"text": "Bread", "done": False}]
    assert milk["description"] == "Semi-skimmed, two litres\n\nAsk for the sourdough"
    assert milk["due_date"] == "2024-03-15T22:59:00+00:00"  # the end of that day in Berlin

    review = tasks["Weekly review"]
    assert review["priority"] == 2
    assert review["recurrence"] == "FREQ=WEEKLY;BYDAY=MO"
    assert review["description"] == "Inbox zero\nthen plan"
    due = datetime.fromisoformat(review["due_date"])
    berlin = due.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Berlin"))
    assert (berlin.weekday(), berlin.hour, berlin.minute) == (0, 9, 0)
    assert timedelta(0) < due - datetime.now(UTC) <= timedelta(days=7)

    assert tasks["Call the bank"]["due_date"] == "2024-03-20T18:30:00+00:00"  # 14:30 in New York
    assert tasks["Call the bank"]["priority"] == 3
    assert tasks["Someday"]["due_date"] is None
    assert tasks["Someday"]["priority"] == 2
    assert {tag["name"] for tag in api.get("/api/tags", params={"workspace_id": target}).json()["items"]} == {
        "home",
        "errands",
        "work",
    }


def test_bad_rows_are_reported_by_line_and_nothing_is_written(make_account):
    api = make_account().client
    target = _workspace(api)
    content = (
        "TYPE,CONTENT,DESCRIPTION,PRIORITY,INDENT,AUTHOR,RESPONSIBLE,DATE,DATE_LANG,TIMEZONE\r\n"
        "task,Fine,,4,1,,,2024-01-02,en,UTC\r\n"  # line 2
        'task,Spans lines,"one\r\ntwo",9,1,,,,en,\r\n'  # lines 3-4: PRIORITY 9
        "task,When,,1,1,,,next blue moon,en,\r\n"  # line 5
        "task,Where,,1,1,,,,en,Mars/Olympus\r\n"  # line 6
        "task,@onlylabels,,1,1,,,,en,\r\n"  # line 7: no title left
        "wibble,x,,,,,,,,\r\n"  # line 8
    )
    response = _import(api, target, content, "todoist-csv")
    assert response.status_code == 422, response.text
    assert response.header("Content-Type") == "application/problem+json"
    problem = response.json()
    assert problem["created"] == 0
    lines = [error["line"] for error in problem["errors"]]
    assert lines == [3, 5, 6, 7, 8]
    details = {error["line"]: error["detail"] for error in problem["errors"]}
    assert "PRIORITY '9'" in details[3]
    assert "next blue moon" in details[5]
    assert "Mars/Olympus" in details[6]
    assert details[7].startswith("title:")
    assert "wibble" in details[8]
    assert _titles(api, target) == []  # not even the fine row


def test_a_json_file_with_a_bad_task_is_refused_whole(make_account):
    api = make_account().client
    target = _workspace(api)
    document = {
        "format": "taskforge",
        "version": 1,
        "tasks": [
            {"title": "good"},
            {"title": "", "priority": 7},
            {"title": "repeats without a date", "recurrence": "FREQ=DAILY"},
            {"title": "bad rule", "recurrence": "FREQ=HOURLY", "due_date": "2030-01-01T00:00:00Z"},
        ],
    }
    response = _import(api, target, json.dumps(document))
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [error["line"] for error in errors] == [2, 3, 4]
    assert "priority" in errors[0]["detail"]
    assert "title" in errors[0]["detail"]
    assert "due date" in errors[1]["detail"]
    assert "FREQ" in errors[2]["detail"]
    assert _titles(api, target) == []


@pytest.mark.parametrize(
    ("fmt", "content", "expected"),
    [
        ("taskforge-json", "not json", "not JSON"),
        ("taskforge-json", '{"tasks": []}', "not a TaskForge export"),
        ("taskforge-json", '{"format": "taskforge", "version": 99, "tasks": []}', "version"),
        ("todoist-csv", "a,b\r\n1,2\r\n", "TYPE and CONTENT"),
    ],
)
def test_a_file_of_the_wrong_kind_is_422_on_line_1(make_account, fmt, content, expected):
    response = _import(make_account().client, None, content, fmt)
    assert response.status_code == 422
    assert response.json()["errors"][0]["line"] == 1
    assert expected in response.json()["errors"][0]["detail"]


def test_more_tasks_than_one_import_takes_is_422_and_a_body_past_the_limit_413(make_account):
    api = make_account().client
    many = {"format": "taskforge", "version": 1, "tasks": [{"title": "t"}] * (MAX_IMPORT_TASKS + 1)}
    response = _import(api, None, json.dumps(many))
    assert response.status_code == 422
    assert f"at most {MAX_IMPORT_TASKS}" in response.json()["errors"][0]["detail"]
    huge = "x" * (7 * 1024 * 1024)
    assert _import(api, None, huge).status_code == 413
    assert _titles(api, None) == []


def test_only_owners_and_editors_import_and_only_members_export(make_account, api_database):
    owner, viewer, outsider = make_account(), make_account(), make_account()
    shared = _workspace(owner.client, "Team")
    owner.client.post("/api/tasks", json={"title": "secret", "workspace_id": shared})
    with psycopg.connect(api_database, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO memberships (workspace_id, user_id, role) VALUES (%s, %s, 'viewer')", (shared, viewer.id)
        )
    content = json.dumps({"format": "taskforge", "version": 1, "tasks": [{"title": "intruder"}]})
    assert _import(outsider.client, shared, content).status_code == 404
    assert _import(viewer.client, shared, content).status_code == 403
    assert outsider.client.get("/api/export", params={"workspace_id": shared}).status_code == 404
    assert [t["title"] for t in _export(viewer.client, workspace_id=shared).json()["tasks"]] == ["secret"]
    assert "secret" not in _export(outsider.client).text
    assert _titles(owner.client, shared) == ["secret"]


def test_both_need_a_valid_token(client):
    assert client.get("/api/export").status_code == 401
    body: dict[str, Any] = {"format": "taskforge-json", "content": "{}"}
    assert client.post("/api/import", json=body).status_code == 401
    bearer = {"Authorization": "Bearer nonsense"}
    assert client.get("/api/export", headers=bearer).status_code == 401


def test_unknown_formats_are_422(make_account):
    api = make_account().client
    assert api.get("/api/export", params={"format": "xml"}).status_code == 422
    assert _import(api, None, "x", "excel").status_code == 422
