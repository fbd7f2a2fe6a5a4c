"""Idempotency-Key on PATCH and DELETE /api/tasks/{id}, through the API: a retry of a change
or a delete gets the first answer (not the 412 or 404 its own first delivery would cause)
and writes nothing more; a key reused for another request, and a bad key, are refused."""

from __future__ import annotations

import uuid

import pytest

from tests.functional.api.conftest import team  # noqa: F401 - a fixture
from tests.functional.robustness.conftest import PROBLEM_JSON, as_if_still_running, rows  # noqa: F401 - a fixture


def _key() -> str:
    return f"key-{uuid.uuid4()}"


def _task(account, title: str = "water the plants") -> dict:
    created = account.client.post("/api/tasks", json={"title": title})
    assert created.status_code == 201, created.text
    return created.json()


def _etag(task: dict) -> str:
    return f'"{task["version"]}"'


def _versions(account, task_id: str) -> list[int]:
    listed = account.client.get(f"/api/tasks/{task_id}/versions", params={"limit": 100})
    assert listed.status_code == 200, listed.text
    return [version["version"] for version in listed.json()["items"]]


def test_a_retried_change_gets_the_first_answer_and_changes_nothing_more(make_account):
    account = make_account()
    task = _task(account)
    headers = {"If-Match": _etag(task), "Idempotency-Key": _key()}
    change = {"title": "water the ferns", "completed": True}

    first = account.client.patch(f"/api/tasks/{task['id']}", json=change, headers=headers)
    versions = _versions(account, task["id"])
    retry = account.client.patch(f"/api/tasks/{task['id']}", json=change, headers=headers)
    without_key = account.client.patch(f"/api/tasks/{task['id']}", json=change, headers={"If-Match": _etag(task)})

    assert first.status_code == 200, first.text
    assert retry.status_code == 200, retry.text  # not a 412 from the version the first one moved
    assert retry.json() == first.json()
    assert retry.header("ETag") == first.header("ETag")
    assert _versions(account, task["id"]) == versions
    # The key is what makes the retry safe: the same request without one is refused.
    assert without_key.status_code == 412


def test_a_retried_delete_gets_the_first_204(make_account):
    account = make_account()
    task = _task(account)
    headers = {"If-Match": _etag(task), "Idempotency-Key": _key()}

    first = account.client.delete(f"/api/tasks/{task['id']}", headers=headers)
    retry = account.client.delete(f"/api/tasks/{task['id']}", headers=headers)
    without_key = account.client.delete(f"/api/tasks/{task['id']}", headers={"If-Match": _etag(task)})

    assert first.status_code == 204, first.text
    assert retry.status_code == 204, retry.text  # not a 404 for the task the first one deleted
    assert retry.content == b""
    assert without_key.status_code == 404
    assert account.client.get(f"/api/tasks/{task['id']}").status_code == 404


def test_a_replayed_change_is_the_first_answer_even_after_the_task_changed_again(make_account):
    account = make_account()
    task = _task(account)
    headers = {"If-Match": _etag(task), "Idempotency-Key": _key()}
    first = account.client.patch(f"/api/tasks/{task['id']}", json={"priority": 1}, headers=headers)
    assert account.client.patch(f"/api/tasks/{task['id']}", json={"title": "later"}).status_code == 200

    retry = account.client.patch(f"/api/tasks/{task['id']}", json={"priority": 1}, headers=headers)

    assert retry.status_code == 200
    assert retry.json() == first.json()
    assert account.client.get(f"/api/tasks/{task['id']}").json()["title"] == "later"


@pytest.mark.parametrize(
    ("first", "reused"),
    [
        ({"title": "a"}, {"title": "b"}),
        ({"title": "a"}, {"title": "a", "priority": 3}),
        ({"title": "a", "due_date": None}, {"title": "a"}),
    ],
    ids=["other-title", "another-field", "unset-is-not-null"],
)
def test_a_key_reused_with_another_change_is_422_and_changes_nothing(make_account, first, reused):
    account = make_account()
    task = _task(account)
    key = _key()
    applied = account.client.patch(f"/api/tasks/{task['id']}", json=first, headers={"Idempotency-Key": key})
    assert applied.status_code == 200, applied.text

    refused = account.client.patch(f"/api/tasks/{task['id']}", json=reused, headers={"Idempotency-Key": key})

    assert refused.status_code == 422, refused.text
    assert refused.header("Content-Type") == PROBLEM_JSON
    assert "Idempotency-Key" in refused.json()["detail"]
    assert account.client.get(f"/api/tasks/{task['id']}").json() == applied.json()


def test_a_key_reused_with_another_if_match_is_422(make_account):
    account = make_account()
    task = _task(account)
    key = _key()
    change = {"title": "b"}
    applied = account.client.patch(
        f"/api/tasks/{task['id']}", json=change, headers={"If-Match": _etag(task), "Idempotency-Key": key}
    )
    assert applied.status_code == 200, applied.text

    refused = account.client.patch(f"/api/tasks/{task['id']}", json=change, headers={"Idempotency-Key": key})

    assert refused.status_code == 422, refused.text
    assert refused.header("Content-Type") == PROBLEM_JSON


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
def test_a_key_reused_for_another_task_is_422_and_leaves_that_task_alone(make_account, method):
    account = make_account()
    first, other = _task(account, "first"), _task(account, "other")
    key = _key()
    body = {"title": "changed"} if method == "PATCH" else None
    applied = account.client.request(method, f"/api/tasks/{first['id']}", json=body, headers={"Idempotency-Key": key})
    assert applied.status_code in (200, 204), applied.text

    refused = account.client.request(method, f"/api/tasks/{other['id']}", json=body, headers={"Idempotency-Key": key})

    assert refused.status_code == 422, refused.text
    assert refused.header("Content-Type") == PROBLEM_JSON
    assert account.client.get(f"/api/tasks/{other['id']}").json() == other


def test_keys_of_change_delete_and_create_are_independent(make_account):
    account = make_account()
    task = _task(account)
    key = _key()

    changed = account.client.patch(f"/api/tasks/{task['id']}", json={"priority": 1}, headers={"Idempotency-Key": key})
    deleted = account.client.delete(f"/api/tasks/{task['id']}", headers={"Idempotency-Key": key})
    created = account.client.post("/api/tasks", json={"title": "new"}, headers={"Idempotency-Key": key})

    assert changed.status_code == 200, changed.text
    assert deleted.status_code == 204, deleted.text
    assert created.status_code == 201, created.text
    assert account.client.get(f"/api/tasks/{task['id']}").status_code == 404


def test_keys_belong_to_one_user(team):  # noqa: F811
    owner, editor = team["owner"], team["editor"]
    task = owner.client.post("/api/tasks", json={"title": "shared", "workspace_id": team["id"]}).json()
    key = _key()

    by_owner = owner.client.patch(f"/api/tasks/{task['id']}", json={"priority": 1}, headers={"Idempotency-Key": key})
    by_editor = editor.client.patch(f"/api/tasks/{task['id']}", json={"priority": 1}, headers={"Idempotency-Key": key})

    assert by_owner.status_code == by_editor.status_code == 200
    # The editor's request ran on its own: a version of its own, not the owner's answer.
    assert by_editor.json()["version"] == by_owner.json()["version"] + 1


def test_a_refused_request_keeps_no_answer_for_its_key(team):  # noqa: F811
    # Only an answer that applied is kept: once what refused the request is gone, its retry runs.
    owner, viewer = team["owner"], team["viewer"]
    task = owner.client.post("/api/tasks", json={"title": "shared", "workspace_id": team["id"]}).json()
    headers = {"If-Match": _etag(task), "Idempotency-Key": _key()}

    refused = viewer.client.patch(f"/api/tasks/{task['id']}", json={"priority": 1}, headers=headers)
    promoted = owner.client.patch(f"/api/workspaces/{team['id']}/members/{viewer.id}", json={"role": "editor"})
    retry = viewer.client.patch(f"/api/tasks/{task['id']}", json={"priority": 1}, headers=headers)

    assert refused.status_code == 403, refused.text
    assert promoted.status_code == 200, promoted.text
    assert retry.status_code == 200, retry.text
    assert retry.json()["priority"] == 1


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
@pytest.mark.parametrize(
    "key",
    ["", "k" * 256, "bad\x01key", "tab\tkey", "del\x7fkey", "\x00"],
    ids=["empty", "256-chars", "control-char", "tab", "delete-char", "nul"],
)
def test_an_invalid_key_is_400_and_writes_nothing(make_account, rows, method, key):  # noqa: F811
    account = make_account()
    task = _task(account)
    before = rows.snapshot()
    body = {"title": "changed"} if method == "PATCH" else None

    response = account.client.request(method, f"/api/tasks/{task['id']}", json=body, headers={"Idempotency-Key": key})

    assert response.status_code == 400, response.text
    assert response.header("Content-Type") == PROBLEM_JSON
    assert rows.snapshot() == before
    assert account.client.get(f"/api/tasks/{task['id']}").json() == task


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
def test_a_duplicate_of_a_request_still_in_flight_is_409(make_account, api_database, method):
    account = make_account()
    task = _task(account)
    key = _key()
    body = {"priority": 1} if method == "PATCH" else None

    def send():
        return account.client.request(method, f"/api/tasks/{task['id']}", json=body, headers={"Idempotency-Key": key})

    first = as_if_still_running(api_database, send)
    assert first.status_code in (200, 204), first.text

    duplicate = send()

    assert duplicate.status_code == 409, duplicate.text
    assert duplicate.header("Content-Type") == PROBLEM_JSON
