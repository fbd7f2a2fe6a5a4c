"""Idempotency-Key through the API: retries replay the first response and insert nothing,
keys belong to one user and one operation, bad keys are refused, storms create one row."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.functional.robustness.conftest import CLIENT_TIMEOUT, PROBLEM_JSON, REPLICAS, as_if_still_running


def _key() -> str:
    return f"key-{uuid.uuid4()}"


@pytest.mark.parametrize(
    ("path", "body", "created"),
    [
        ("/api/tasks", {"title": "pay rent", "priority": 1}, 1),
        ("/api/tasks/batch", {"tasks": [{"title": "one"}, {"title": "two", "completed": True}]}, 2),
    ],
    ids=["create", "batch"],
)
def test_a_retry_replays_the_first_response_without_a_second_insert(make_account, rows, path, body, created):
    account = make_account()
    key = _key()

    first = account.client.post(path, json=body, headers={"Idempotency-Key": key})
    retry = account.client.post(path, json=body, headers={"Idempotency-Key": key})

    assert first.status_code == 201, first.text
    assert retry.status_code == first.status_code
    assert retry.json() == first.json()
    assert retry.header("Location") == first.header("Location")
    assert retry.header("ETag") == first.header("ETag")
    assert rows.count("tasks", owner=account.id) == created


def test_the_replayed_response_is_the_first_one_even_after_the_task_changed(make_account, rows):
    account = make_account()
    key = _key()
    first = account.client.post("/api/tasks", json={"title": "draft"}, headers={"Idempotency-Key": key})
    task_id = first.json()["id"]
    assert account.client.patch(f"/api/tasks/{task_id}", json={"title": "final"}).status_code == 200

    retry = account.client.post("/api/tasks", json={"title": "draft"}, headers={"Idempotency-Key": key})

    assert retry.status_code == 201
    assert retry.json() == first.json()
    assert rows.count("tasks", owner=account.id) == 1


@pytest.mark.parametrize(
    ("path", "body", "other_body"),
    [
        ("/api/tasks", {"title": "a"}, {"title": "b"}),
        ("/api/tasks", {"title": "a"}, {"title": "a", "priority": 3}),
        ("/api/tasks/batch", {"tasks": [{"title": "a"}]}, {"tasks": [{"title": "a"}, {"title": "b"}]}),
    ],
    ids=["create-title", "create-priority", "batch"],
)
def test_the_same_key_with_a_different_body_is_422(make_account, rows, path, body, other_body):
    account = make_account()
    key = _key()
    assert account.client.post(path, json=body, headers={"Idempotency-Key": key}).status_code == 201
    before = rows.count("tasks", owner=account.id)

    reused = account.client.post(path, json=other_body, headers={"Idempotency-Key": key})

    assert reused.status_code == 422
    assert reused.header("Content-Type") == PROBLEM_JSON
    assert reused.json()["status"] == 422
    assert rows.count("tasks", owner=account.id) == before


def test_keys_belong_to_one_user(make_account, rows):
    alice, bob = make_account(), make_account()
    key = _key()
    body = {"title": "same words, different people"}

    for_alice = alice.client.post("/api/tasks", json=body, headers={"Idempotency-Key": key})
    for_bob = bob.client.post("/api/tasks", json=body, headers={"Idempotency-Key": key})

    assert for_alice.status_code == for_bob.status_code == 201
    assert for_alice.json()["id"] != for_bob.json()["id"]
    assert for_alice.json()["owner"] == alice.id
    assert for_bob.json()["owner"] == bob.id
    assert rows.count("tasks", owner=alice.id) == 1
    assert rows.count("tasks", owner=bob.id) == 1


def test_keys_of_create_and_batch_are_independent(make_account, rows):
    account = make_account()
    key = _key()

    single = account.client.post("/api/tasks", json={"title": "x"}, headers={"Idempotency-Key": key})
    batch = account.client.post("/api/tasks/batch", json={"tasks": [{"title": "x"}]}, headers={"Idempotency-Key": key})
    single_again = account.client.post("/api/tasks", json={"title": "x"}, headers={"Idempotency-Key": key})

    assert single.status_code == batch.status_code == 201, batch.text
    assert batch.json()["items"][0]["id"] != single.json()["id"]
    assert single_again.json() == single.json()
    assert rows.count("tasks", owner=account.id) == 2


@pytest.mark.parametrize("path", ["/api/tasks", "/api/tasks/batch"])
@pytest.mark.parametrize(
    "key",
    ["", "k" * 256, "bad\x01key", "tab\tkey", "del\x7fkey", "\x00"],
    ids=["empty", "256-chars", "control-char", "tab", "delete-char", "nul"],
)
def test_an_invalid_key_is_400_and_writes_nothing(make_account, rows, path, key):
    account = make_account()
    body = {"title": "x"} if path == "/api/tasks" else {"tasks": [{"title": "x"}]}
    before = rows.snapshot()

    response = account.client.post(path, json=body, headers={"Idempotency-Key": key})

    assert response.status_code == 400, response.text
    assert response.header("Content-Type") == PROBLEM_JSON
    assert rows.snapshot() == before


def test_a_key_of_255_printable_characters_is_accepted(make_account, rows):
    account = make_account()
    key = (uuid.uuid4().hex + "-~!$&'()*+,;=:@") * 20
    key = key[:255]

    first = account.client.post("/api/tasks", json={"title": "x"}, headers={"Idempotency-Key": key})
    retry = account.client.post("/api/tasks", json={"title": "x"}, headers={"Idempotency-Key": key})

    assert first.status_code == retry.status_code == 201, first.text
    assert retry.json()["id"] == first.json()["id"]
    assert rows.count("tasks", owner=account.id) == 1


_HANDLERS = {
    "/api/tasks": "functions.tasks.create_task.handler",
    "/api/tasks/batch": "functions.tasks.create_tasks_batch.handler",
}


@pytest.mark.parametrize(
    ("path", "body"),
    [("/api/tasks", {"title": "storm"}), ("/api/tasks/batch", {"tasks": [{"title": "storm"}, {"title": "front"}]})],
    ids=["create", "batch"],
)
def test_a_retry_storm_creates_one_row(make_account, rows, start_runtime, path, body):
    # Four worker processes of the function race each other, as replicas would.
    server = start_runtime(_HANDLERS[path], **REPLICAS)
    account = make_account()
    headers = {"Authorization": f"Bearer {account.access_token}", "Idempotency-Key": _key()}
    threads = 20
    start = threading.Barrier(threads)

    def post(_: int) -> requests.Response:
        with requests.Session() as session:
            start.wait(timeout=10)
            return session.post(server.base_url + path, json=body, headers=headers, timeout=CLIENT_TIMEOUT)

    with ThreadPoolExecutor(threads) as pool:
        responses = list(pool.map(post, range(threads)))

    statuses = sorted(response.status_code for response in responses)
    assert set(statuses) <= {201, 409}, statuses
    created = [response.json() for response in responses if response.status_code == 201]
    assert created, statuses
    assert all(item == created[0] for item in created)
    for response in responses:
        if response.status_code == 409:
            assert response.headers["Content-Type"] == PROBLEM_JSON
    assert rows.count("tasks", owner=account.id) == len(body.get("tasks", [body]))
    # Once the storm is over, a late retry gets the stored response.
    late = requests.post(server.base_url + path, json=body, headers=headers, timeout=CLIENT_TIMEOUT)
    assert late.status_code == 201
    assert late.json() == created[0]


def test_a_duplicate_of_a_request_still_in_flight_is_409(make_account, rows, api_database):
    account = make_account()
    key = _key()
    first = as_if_still_running(
        api_database,
        lambda: account.client.post("/api/tasks", json={"title": "slow"}, headers={"Idempotency-Key": key}),
    )
    assert first.status_code == 201

    duplicate = account.client.post("/api/tasks", json={"title": "slow"}, headers={"Idempotency-Key": key})

    assert duplicate.status_code == 409, duplicate.text
    assert duplicate.header("Content-Type") == PROBLEM_JSON
    assert rows.count("tasks", owner=account.id) == 1
