"""Hostile request bodies on every endpoint that takes one: a 4xx problem, never a 5xx,
and nothing written."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.functional.api.conftest import PASSWORD
from tests.functional.robustness.conftest import PROBLEM_JSON

DEPTH = 10_000
DEEP = b"[" * DEPTH + b"]" * DEPTH
HUGE = "x" * (5 * 1024 * 1024)  # within the runtime's 6 MB body limit: the handler must refuse it


def _text_field(endpoint: str, value_json: bytes) -> bytes:
    """A body for `endpoint` whose free-text field is `value_json` (raw JSON bytes)."""
    if endpoint == "register":
        email = f"hostile-{uuid.uuid4().hex[:10]}@example.com"
        return b'{"email": "%s", "password": "%s", "display_name": %s}' % (
            email.encode(),
            PASSWORD.encode(),
            value_json,
        )
    if endpoint == "login":
        return b'{"email": %s, "password": "%s"}' % (value_json, PASSWORD.encode())
    if endpoint == "batch":
        return b'{"tasks": [{"title": "fine"}, {"title": %s}]}' % value_json
    return b'{"title": %s}' % value_json  # create, patch


BODIES = {
    "not-json": lambda endpoint: b'{"title": "unterminated',
    "json-array": lambda endpoint: b'[{"title": "an array, not an object"}]',
    "json-string": lambda endpoint: b'"just a string"',
    "deep-nesting": lambda endpoint: DEEP,
    "deep-nesting-inside": lambda endpoint: _text_field(endpoint, DEEP),
    "5mb-text": lambda endpoint: _text_field(endpoint, json.dumps(HUGE).encode()),
    "invalid-utf8": lambda endpoint: _text_field(endpoint, b'"caf\xc3 \xff\xfe"'),
    "nul-escaped": lambda endpoint: _text_field(endpoint, b'"before\\u0000after@example.com"'),
    "lone-surrogate": lambda endpoint: _text_field(endpoint, b'"\\udc00@example.com"'),
}
ENDPOINTS = ["register", "login", "create", "patch", "batch"]


@pytest.fixture
def target(make_account):
    """An account with one task: the requests go to its endpoints."""
    account = make_account()
    task = account.client.post("/api/tasks", json={"title": "untouched"})
    assert task.status_code == 201
    return account, task.json()["id"]


@pytest.mark.parametrize("kind", BODIES)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_hostile_body_is_a_4xx_problem_and_writes_nothing(client, target, rows, endpoint, kind):
    account, task_id = target
    method, path, sender = {
        "register": ("POST", "/api/auth/register", client),
        "login": ("POST", "/api/auth/login", client),
        "create": ("POST", "/api/tasks", account.client),
        "patch": ("PATCH", f"/api/tasks/{task_id}", account.client),
        "batch": ("POST", "/api/tasks/batch", account.client),
    }[endpoint]
    task_before = account.client.get(f"/api/tasks/{task_id}")
    counts_before = rows.snapshot()

    response = sender.request(
        method,
        path,
        body=BODIES[kind](endpoint),
        headers={"Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())}
        if endpoint in ("create", "batch")
        else {"Content-Type": "application/json"},
    )

    assert 400 <= response.status_code < 500, response.content[:300]
    assert response.header("Content-Type") == PROBLEM_JSON
    assert response.json()["status"] == response.status_code
    assert HUGE[:1000] not in response.text  # the input is not echoed back
    assert rows.snapshot() == counts_before
    task_after = account.client.get(f"/api/tasks/{task_id}")
    assert (task_after.json(), task_after.header("ETag")) == (task_before.json(), task_before.header("ETag"))
